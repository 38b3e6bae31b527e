import Testing
import YAML

/// Budgets are applied while reading: hostile input is refused with `.limit`
/// at the node that breaks the budget.
struct LimitTests {
    /// Nine levels of tenfold aliases: a billion "lol"s once expanded.
    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]

        """

    @Test func billionLaughsIsRefusedAtAnAlias() throws {
        let error = try readError(Self.billionLaughs)
        #expect(error.kind == .limit)
        #expect(character(at: error.position, in: Self.billionLaughs) == "*")
    }

    @Test func anAliasStandingForTooManyNodesIsRefused() throws {
        // Every alias here stands for at most 1,111 nodes, so `d` (11,111 nodes) is fine...
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d"] {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        #expect(try root(yaml).at(.value("d"))?.expandedSize == 11_111)
        // ...but one alias standing for all of `d` breaks the per-alias budget of 10,000.
        let error = try readError(yaml + "e: *d\n")
        #expect(error.kind == .limit)
        #expect(error.position == Position(5, 4))
        #expect(error.message.contains("*d"))
    }

    @Test func aliasExpansionBudget() throws {
        let yaml = "a: &a [1, 2, 3, 4]\nb: *a\n"
        var limits = YAMLLimits()
        limits.maxAliasExpansion = 5
        #expect(try root(yaml, limits: limits).at(.value("b"))?.items?.count == 4)
        limits.maxAliasExpansion = 4
        let error = try readError(yaml, limits: limits)
        #expect(error.kind == .limit)
        #expect(error.position == Position(2, 4))
    }

    @Test func aliasesCountTowardsTheNodeBudget() throws {
        // 1 root + key a + [1, 2, 3] (4) + key b + *a (4) + key c + *a (4) = 16 nodes.
        let yaml = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
        var limits = YAMLLimits()
        limits.maxNodes = 16
        #expect(try root(yaml, limits: limits).expandedSize == 16)
        limits.maxNodes = 15
        let error = try readError(yaml, limits: limits)
        #expect(error.kind == .limit)
        #expect(error.position == Position(3, 4))
    }

    @Test func nodeBudgetOfTheDefaultLimits() throws {
        // A flow list of n items is n + 1 nodes.
        func list(_ items: Int) -> String { "[" + String(repeating: "0,", count: items) + "]" }
        #expect(try root(list(99_999)).expandedSize == 100_000)
        let error = try readError(list(100_000))
        #expect(error.kind == .limit)
        #expect(error.message.contains("100000"))
    }

    @Test func nodeBudgetCoversTheWholeStream() throws {
        var limits = YAMLLimits()
        limits.maxNodes = 5
        #expect(try YAMLReader.read("a: 1\n", limits: limits).count == 1)
        let error = try readError("a: 1\n---\nb: 2\n", limits: limits)
        #expect(error.kind == .limit)
        #expect(error.position == Position(3, 4))
    }

    // MARK: Depth

    @Test func depthOfTheDefaultLimits() throws {
        #expect(try root(nestedFlow(64)).height == 64)
        #expect(try root(nestedFlow(63, around: "x")).height == 64)
        let tooDeep = try readError(nestedFlow(65))
        #expect(tooDeep.kind == .limit)
        #expect(tooDeep.position == Position(1, 65))
        let tooDeepScalar = try readError(nestedFlow(64, around: "x"))
        #expect(tooDeepScalar.kind == .limit)
        #expect(tooDeepScalar.position == Position(1, 65))
    }

    @Test func deepBlockNestingIsRefusedWhereItBreaksTheBudget() throws {
        let yaml = (0..<100).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " x\n"
        let error = try readError(yaml)
        #expect(error.kind == .limit)
        #expect(error.message.contains("64"))
        #expect(error.position == Position(64, 64))
    }

    @Test("custom depth: accepted", arguments: ["x", "[[x]]", "[[[]]]", "a: {b: c}", "a: &x [1]\nb: *x\n"])
    func customDepthAccepted(_ yaml: String) throws {
        var limits = YAMLLimits()
        limits.maxDepth = 3
        #expect(try root(yaml, limits: limits).height <= 3)
    }

    @Test(
        "custom depth: refused",
        arguments: [
            ("[[[x]]]", Position(1, 4)),
            ("[[[[]]]]", Position(1, 4)),
            ("a: {b: [c]}", Position(1, 9)),
            ("a: &x [1]\nb: [*x]\n", Position(2, 5)),
            ("a: &x 1\nb: [[*x]]\n", Position(2, 6)),
        ])
    func customDepthRefused(yaml: String, at position: Position) throws {
        var limits = YAMLLimits()
        limits.maxDepth = 3
        let error = try readError(yaml, limits: limits)
        #expect(error.kind == .limit)
        #expect(error.position == position)
    }

    @Test func anAliasIsAsDeepAsTheNodeItStandsFor() throws {
        var limits = YAMLLimits()
        limits.maxDepth = 3
        // A scalar and an alias to a scalar at the same place get the same answer.
        #expect(throws: YAMLError.self) { try YAMLReader.read("a: 1\nb: [[1]]\n", limits: limits) }
        #expect(throws: YAMLError.self) { try YAMLReader.read("a: &x 1\nb: [[*x]]\n", limits: limits) }
        #expect(try root("a: 1\nb: [1]\n", limits: limits).height == 3)
        #expect(try root("a: &x 1\nb: [*x]\n", limits: limits).height == 3)
    }

    // MARK: Size

    @Test func fileOverOneMebibyteIsRefusedBeforeParsing() throws {
        let atLimit = Array("# ".utf8) + Array(repeating: UInt8(ascii: "x"), count: (1 << 20) - 3) + [0x0A]
        #expect(atLimit.count == 1 << 20)
        #expect(try YAMLReader.read(atLimit).isEmpty)
        let error = try readError(atLimit + [0x0A])
        #expect(error.kind == .limit)
        #expect(error.position == Position(1, 1))
        #expect(error.message.contains("1048577"))
    }

    @Test func customByteBudget() throws {
        var limits = YAMLLimits()
        limits.maxBytes = 10
        #expect(try YAMLReader.read("abcdefghi\n", limits: limits).count == 1)
        let error = try readError("abcdefghij\n", limits: limits)
        #expect(error.kind == .limit)
        // Even an invalid file over the budget is refused for its size first.
        #expect(try readError([UInt8](repeating: 0xFF, count: 11), limits: limits).kind == .limit)
    }

    @Test func defaultLimitsAreTheDocumentedOnes() {
        let limits = YAMLLimits.default
        #expect(limits.maxBytes == 1_048_576)
        #expect(limits.maxDepth == 64)
        #expect(limits.maxNodes == 100_000)
        #expect(limits == YAMLLimits())
    }
}
