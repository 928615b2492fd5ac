import CCurl

/// Receives the header lines and body bytes of one transfer from curl's callbacks.
final class ResponseSink {
    enum Mode {
        /// Keeps the body, up to `limit` bytes.
        case collect(limit: Int)
        /// Splits the body into lines of at most `limit` bytes and passes each to `onLine`.
        case lines(limit: Int, onLine: ([UInt8]) -> Bool)
    }

    let mode: Mode
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// The reason this sink stopped the transfer, or nil.
    var failure: String?
    private var stoppedByHandler = false

    init(mode: Mode) {
        self.mode = mode
    }

    /// Records one header line; a status line starts a new response, as after "100 Continue".
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        let text = String(decoding: line[0..<end], as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            headers = []
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = String(text[..<colon])
        let value = text[text.index(after: colon)...].trimmingPrefix { $0 == " " || $0 == "\t" }
        headers.append((name: name, value: String(value)))
    }

    /// Takes one piece of body; returns false to abort the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch mode {
        case .collect(let limit):
            guard body.count + bytes.count <= limit else {
                failure = "the response body is larger than the limit of \(limit) bytes; raise maxResponseBytes"
                return false
            }
            body.append(contentsOf: bytes)
            return true
        case .lines(let limit, let onLine):
            var start = 0
            for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
                body.append(contentsOf: bytes[start..<index])
                start = index + 1
                let line = body
                body = []
                if !onLine(line) {
                    stoppedByHandler = true
                    return false
                }
            }
            body.append(contentsOf: bytes[start...])
            guard body.count <= limit else {
                failure = "a line of the stream is longer than the limit of \(limit) bytes; raise maxLineBytes"
                return false
            }
            return true
        }
    }

    /// Passes a last line without "\n" to the line handler.
    func finish() {
        guard case .lines(_, let onLine) = mode, !body.isEmpty, !stoppedByHandler else { return }
        let line = body
        body = []
        _ = onLine(line)
    }

    /// Whether the line handler asked to stop, which curl reports as a write error.
    var stoppedOnRequest: Bool {
        stoppedByHandler
    }
}

/// The request body and how much of it curl has read.
final class UploadSource {
    let body: [UInt8]
    var offset = 0

    init(body: [UInt8]) {
        self.body = body
    }
}

let writeBody: curl_write_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    return sink.receiveBody(bytes) ? size * count : 0
}

let writeHeader: curl_write_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    sink.receiveHeader(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}

let readBody: curl_read_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, source.body.count - source.offset)
    guard length > 0 else { return 0 }
    source.body.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(pointer).copyMemory(from: raw.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
