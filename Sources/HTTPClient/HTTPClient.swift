/// Placeholder that keeps the HTTPClient target buildable until its first source file lands.
enum HTTPClientModule {}
