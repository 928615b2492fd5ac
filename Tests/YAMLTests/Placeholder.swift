import Testing

@Suite struct YAMLTestsPlaceholder {}
