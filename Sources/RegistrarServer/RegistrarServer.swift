/// Placeholder that keeps the RegistrarServer target buildable until its first source file lands.
enum RegistrarServerModule {}
