/// Placeholder that keeps the SPIFFE target buildable until its first source file lands.
enum SPIFFEModule {}
