/// Placeholder that keeps the Reconciler target buildable until its first source file lands.
enum ReconcilerModule {}
