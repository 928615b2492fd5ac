/// Placeholder that keeps the Kubernetes target buildable until its first source file lands.
enum KubernetesModule {}
