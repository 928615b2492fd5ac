import Testing

@Suite struct ReconcilerTestsPlaceholder {}
