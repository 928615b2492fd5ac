print("registrar-bench: no benchmarks yet")
