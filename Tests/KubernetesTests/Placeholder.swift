import Testing

@Suite struct KubernetesTestsPlaceholder {}
