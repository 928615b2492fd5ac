import Testing

@Suite struct HTTPTestsPlaceholder {}
