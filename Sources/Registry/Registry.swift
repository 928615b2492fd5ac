/// Placeholder that keeps the Registry target buildable until its first source file lands.
enum RegistryModule {}
