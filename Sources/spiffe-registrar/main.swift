print("spiffe-registrar: no commands yet")
