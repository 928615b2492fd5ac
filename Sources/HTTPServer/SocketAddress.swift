#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 socket address.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The IP address in its textual form, such as "127.0.0.1" or "::1".
    public let ip: String
    /// The TCP port.
    public let port: UInt16
    /// Raw IP address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let ipBytes: [UInt8]

    /// Parses an IP literal, or "localhost" as 127.0.0.1; returns nil for anything else.
    public init?(host: String, port: UInt16) {
        let literal = host == "localhost" ? "127.0.0.1" : host
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            ipBytes = withUnsafeBytes(of: v4) { Array($0) }
        } else if inet_pton(AF_INET6, literal, &v6) == 1 {
            ipBytes = withUnsafeBytes(of: v6) { Array($0) }
        } else {
            return nil
        }
        self.ip = literal
        self.port = port
    }

    /// Reads an AF_INET or AF_INET6 socket address; returns nil for other families.
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            ipBytes = withUnsafeBytes(of: v4.sin_addr) { Array($0) }
            port = UInt16(bigEndian: v4.sin_port)
        case AF_INET6:
            let v6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
            ipBytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
            port = UInt16(bigEndian: v6.sin6_port)
        default:
            return nil
        }
        ip = Self.format(ipBytes)
    }

    /// Whether the address is in 127.0.0.0/8 or is ::1.
    public var isLoopback: Bool {
        if ipBytes.count == 4 {
            return ipBytes[0] == 127
        }
        return ipBytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// "ip:port", with brackets around an IPv6 address.
    public var description: String {
        ipBytes.count == 16 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Calls `body` with this address as a `sockaddr`.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>) -> Result) -> Result {
        if ipBytes.count == 4 {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &v4.sin_addr) { $0.copyBytes(from: ipBytes) }
            return withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: ipBytes) }
        return withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }

    /// Binds a TCP socket to this address and closes it again, and returns the errno of a failed
    /// `socket` or `bind`, or nil when both succeed.
    ///
    /// The socket sets SO_REUSEADDR, so that connections of an earlier process in TIME_WAIT do not fail the
    /// probe, and IPV6_V6ONLY for an IPv6 address, because the daemon does not start in dual-stack mode.
    /// NOTE: whether libmicrohttpd 0.9.75 sets SO_REUSEADDR itself was not checked in its source.
    func bindErrorNumber() -> Int32? {
        let family = ipBytes.count == 4 ? AF_INET : AF_INET6
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var on: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, size)
        if family == AF_INET6 {
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, size)
        }
        let length = socklen_t(ipBytes.count == 4 ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
        let result = withSockaddr { bind(descriptor, $0, length) }
        return result == 0 ? nil : errno
    }

    private static func format(_ bytes: [UInt8]) -> String {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
