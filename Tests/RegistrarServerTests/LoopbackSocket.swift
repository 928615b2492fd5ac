import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a TCP connection to 127.0.0.1 with a 5 s receive timeout, or returns nil.
func connectLoopback(port: UInt16) -> Int32? {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(socket)
        return nil
    }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    return socket
}

/// Sends `text` on `socket` and returns whether every byte was sent.
func sendText(_ socket: Int32, _ text: String) -> Bool {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) } == bytes.count
}

/// Sends raw request bytes over plain TCP and returns everything the server sends until it closes.
func exchange(port: UInt16, request: String) throws -> String {
    let socket = try #require(connectLoopback(port: port))
    defer { close(socket) }
    #expect(sendText(socket, request))
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { break }
        response.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: response, as: UTF8.self)
}
