import Testing

@Suite struct SPIFFETestsPlaceholder {}
