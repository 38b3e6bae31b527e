/// One agent file on its own, read and decoded as `validate` reads it when
/// `config/defaults.yaml` is empty: the YAML reader and the agent decoder,
/// nothing else. For the fuzz targets and for tools that check one file.
public enum AgentFile {
    /// The settings (nil when the file cannot be decoded) and every problem found.
    public static func read(_ bytes: [UInt8], path: String) -> (settings: AgentSettings?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        guard let root = YAMLFile.load(bytes, file: path, diagnostics: &diagnostics) else { return (nil, diagnostics) }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
        var decoder = AgentDecoder()
        let support = DefaultsMerge.merge(defaults: nil, agent: root["support"]?.value)
        let settings = decoder.decodeAgent(root, file: path, stem: stem, support: support)
        return (settings, diagnostics + decoder.reader.diagnostics)
    }
}
