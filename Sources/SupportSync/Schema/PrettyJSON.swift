import YAML

extension YAMLValue {
    /// Pretty-printed JSON with a final newline (keys sorted).
    public func prettyPrinted() -> String {
        JSONCoding.prettyString(self)
    }
}
