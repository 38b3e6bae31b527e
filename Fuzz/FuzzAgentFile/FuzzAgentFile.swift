import SupportSync

/// Any bytes as an agent file: the YAML reader and the agent decoder must
/// answer with settings or diagnostics, never crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (_, diagnostics) = AgentFile.read(bytes, path: "config/agents/fuzz.yaml")
    for diagnostic in diagnostics {
        precondition(diagnostic.location.line >= 1 && diagnostic.location.column >= 1, "a diagnostic off the file")
    }
    return 0
}
