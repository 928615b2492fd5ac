import Reconciler

// Both the Kubernetes and the Reconciler modules declare `AdmissionOperation`; this file imports only
// Reconciler, so the alias names the reconciler's type unambiguously in files that import both.

/// The operation type that `Reconciler.admit` takes.
public typealias ReconcilerOperation = AdmissionOperation

extension ReconcilerOperation {
    /// Converts an operation name such as `CREATE`; nil for any other text.
    init?(name: String) {
        self.init(rawValue: name)
    }
}
