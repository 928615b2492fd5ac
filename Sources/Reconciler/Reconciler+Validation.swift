import Kubernetes
import SPIFFE

/// The problems found in an admitted ClusterSPIFFEID.
struct ClusterSPIFFEIDReport {
    /// Every problem as a warning.
    var warnings: [AdmissionWarning] = []
    /// The first problem that the SPIRE controller's own webhook would reject, or nil.
    var denial: String?
}

extension Reconciler {
    /// Validates a ClusterSPIFFEID as the SPIRE controller does, and checks its annotations, its ID
    /// against the trust domains and the mapping, and how its ID renders for the cached pods it selects.
    func validate(_ object: ClusterSPIFFEID, snapshot: CacheSnapshot) -> ClusterSPIFFEIDReport {
        var report = ClusterSPIFFEIDReport()
        let name = object.metadata.name
        for finding in object.validate(limits: selectionSettings.templateLimits) {
            report.warnings.append(
                AdmissionWarning(
                    "\(finding.path): \(AdmissionWarning.condensed(finding.message))",
                    context: "ClusterSPIFFEID \(name)"))
            if finding.severity == .error, report.denial == nil {
                report.denial = "ClusterSPIFFEID \(name) is invalid: \(finding)"
            }
        }

        let annotations: WorkloadAnnotations
        switch contract.read(defaults: object.metadata.annotations, overrides: [:]) {
        case .unmanaged:
            return report
        case .invalid(let warnings):
            report.warnings += warnings
            return report
        case .managed(let read):
            annotations = read
        }

        // A template without actions renders the same ID for every pod, so it can be mapped now.
        if let constant = try? SPIFFEID(parsing: object.spec.spiffeIDTemplate),
            case .rejected(let warning) = mapping.map(constant, annotations: annotations)
        {
            report.warnings.append(warning)
        }

        let selection = selection(for: object, in: snapshot)
        let failures = selection.pods.compactMap { selected -> (String, RenderFailure)? in
            guard case .failure(let failure) = selected.renderedID else { return nil }
            return ("\(selected.pod.namespace)/\(selected.pod.name)", failure)
        }
        if let (pod, failure) = failures.first {
            report.warnings.append(
                .renderFailure(
                    failure.message,
                    context: "pod \(pod); \(failures.count) of \(selection.pods.count) selected pods fail"))
        }
        return report
    }
}
