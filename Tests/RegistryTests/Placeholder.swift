import Testing

@Suite struct RegistryTestsPlaceholder {}
