/// Placeholder that keeps the HTTPServer target buildable until its first source file lands.
enum HTTPServerModule {}
