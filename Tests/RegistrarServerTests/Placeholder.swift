import Testing

@Suite struct RegistrarServerTestsPlaceholder {}
