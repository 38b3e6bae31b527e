import Testing
import YAML

/// How an untagged plain scalar resolves under YAML 1.2 core and YAML 1.1.
struct PlainScalarTypeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var core: PlainScalarType
        var yaml11: PlainScalarType

        init(_ text: String, core: PlainScalarType, yaml11: PlainScalarType) {
            self.text = text
            self.core = core
            self.yaml11 = yaml11
        }

        var testDescription: String { text.isEmpty ? "(empty)" : text }
    }

    static let nulls: [Case] = [
        Case("", core: .null, yaml11: .null),
        Case("~", core: .null, yaml11: .null),
        Case("null", core: .null, yaml11: .null),
        Case("Null", core: .null, yaml11: .null),
        Case("NULL", core: .null, yaml11: .null),
        Case("nULL", core: .string, yaml11: .string),
        Case("none", core: .string, yaml11: .string),
    ]

    static let booleans: [Case] = [
        Case("true", core: .bool, yaml11: .bool),
        Case("True", core: .bool, yaml11: .bool),
        Case("TRUE", core: .bool, yaml11: .bool),
        Case("false", core: .bool, yaml11: .bool),
        Case("tRUE", core: .string, yaml11: .string),
        Case("yes", core: .string, yaml11: .bool),
        Case("Yes", core: .string, yaml11: .bool),
        Case("no", core: .string, yaml11: .bool),
        Case("NO", core: .string, yaml11: .bool),
        Case("on", core: .string, yaml11: .bool),
        Case("Off", core: .string, yaml11: .bool),
        Case("y", core: .string, yaml11: .bool),
        Case("n", core: .string, yaml11: .bool),
    ]

    static let integers: [Case] = [
        Case("0", core: .int, yaml11: .int),
        Case("12", core: .int, yaml11: .int),
        Case("-42", core: .int, yaml11: .int),
        Case("030", core: .int, yaml11: .int),
        Case("0x1F", core: .int, yaml11: .int),
        Case("-0x1F", core: .string, yaml11: .int),
        Case("0o17", core: .int, yaml11: .string),
        Case("+14155550123", core: .int, yaml11: .int),
        Case("1_000", core: .string, yaml11: .int),
        Case("0b101", core: .string, yaml11: .int),
        Case("12:30", core: .string, yaml11: .int),
        Case("190:20:30", core: .string, yaml11: .int),
        Case("0x", core: .string, yaml11: .string),
        Case("0xG1", core: .string, yaml11: .string),
    ]

    static let floats: [Case] = [
        Case("1.5", core: .float, yaml11: .float),
        Case("-1.5", core: .float, yaml11: .float),
        Case(".5", core: .float, yaml11: .float),
        Case("1.", core: .float, yaml11: .float),
        Case("1e3", core: .float, yaml11: .string),
        Case("1E-3", core: .float, yaml11: .string),
        Case("1.0e+3", core: .float, yaml11: .float),
        Case("1.5_0", core: .string, yaml11: .float),
        Case(".inf", core: .float, yaml11: .float),
        Case("-.Inf", core: .float, yaml11: .float),
        Case("+.INF", core: .float, yaml11: .float),
        Case(".nan", core: .float, yaml11: .float),
        Case(".NaN", core: .float, yaml11: .float),
        Case("-.nan", core: .string, yaml11: .string),
        Case("1e", core: .string, yaml11: .string),
        Case(".", core: .string, yaml11: .string),
        Case("-", core: .string, yaml11: .string),
        Case("+", core: .string, yaml11: .string),
    ]

    static let others: [Case] = [
        Case("2026-12-25", core: .string, yaml11: .timestamp),
        Case("2026-11-24T10:02:11Z", core: .string, yaml11: .timestamp),
        Case("2001-12-14 21:59:43.10 -5", core: .string, yaml11: .timestamp),
        Case("09:00-13:00", core: .string, yaml11: .string),
        Case("<<", core: .string, yaml11: .special),
        Case("=", core: .string, yaml11: .special),
        Case("hello", core: .string, yaml11: .string),
        Case("hello world", core: .string, yaml11: .string),
        Case("v1.2", core: .string, yaml11: .string),
        Case("abc123", core: .string, yaml11: .string),
        Case("Grüße", core: .string, yaml11: .string),
        Case("2026", core: .int, yaml11: .int),
    ]

    @Test("null forms", arguments: nulls)
    func null(_ c: Case) { check(c) }

    @Test("booleans", arguments: booleans)
    func bool(_ c: Case) { check(c) }

    @Test("integers", arguments: integers)
    func int(_ c: Case) { check(c) }

    @Test("floats", arguments: floats)
    func float(_ c: Case) { check(c) }

    @Test("timestamps, merge keys and words", arguments: others)
    func other(_ c: Case) { check(c) }

    private func check(_ c: Case) {
        #expect(PlainScalarType.core(c.text) == c.core, "core")
        #expect(PlainScalarType.yaml11(c.text) == c.yaml11, "yaml11")
    }

    /// Values PyYAML 6 (a YAML 1.1 reader) resolves to something other than a
    /// string. A writer relies on `yaml11` to know when to quote, so it must
    /// never call these strings (calling more values non-strings is harmless).
    @Test(
        "YAML 1.1 non-strings are never called strings",
        arguments: [
            "~", "null", "True", "no", "NO", "on", "OFF", "030", "0x1F", "0x_1F", "-0x1F", "0b101", "+1",
            "+14155550123",
            "1_000", "12:30", "190:20:30", "1:30.5", "1.5", "1.", ".5_", "1.5_0", "-1_000.5", "1.0e+3", "-.inf", ".NaN",
            "2026-12-25", "2026-11-24T10:02:11Z", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "<<",
            "=",
        ])
    func yaml11NeverMissesANonString(_ text: String) {
        #expect(PlainScalarType.yaml11(text) != .string)
    }

    @Test func scalarCoreTypeUsesThePlainRulesOnlyForUntaggedPlainScalars() {
        #expect(Scalar(text: "12").coreType == .int)
        #expect(Scalar(text: "12", style: .singleQuoted).coreType == .string)
        #expect(Scalar(text: "true", style: .literal).coreType == .string)
        #expect(Scalar(text: "null", tag: Scalar.stringTag).coreType == .string)
        #expect(Scalar(text: "~").coreType == .null)
    }
}
