print("registry-crash-writer: not built yet")
