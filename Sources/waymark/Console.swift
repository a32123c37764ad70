#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error (diagnostics and progress; results go to standard output).
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    writeAll(2, text)
}

/// Writes `text` to standard error as it is (no newline added).
func printErrorRaw(_ text: String) { writeAll(2, text) }

/// Whether standard error is a terminal (progress lines are shown only then).
func stderrIsTerminal() -> Bool { isatty(2) == 1 }

/// Writes one line to standard output, unbuffered (a result line).
func printResult(_ line: String) {
    writeAll(1, line + "\n")
}

private func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        done += n
    }
}

extension String {
    /// The string padded with spaces to `width` characters (for help tables).
    func padded(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
