import Testing
import YAML

/// Aliases keep their own position and stand for the anchored node.
struct AliasTests {
    @Test func aliasHasItsOwnPositionAndResolvesToItsTarget() throws {
        let node = try root("base: &b\n  x: 1\nother: *b\n")
        let alias = try #require(node.at(.value("other")))
        guard case .alias(let name, let target) = alias.kind else {
            Issue.record("expected an alias, got \(alias.kind)")
            return
        }
        #expect(name == "b")
        #expect(alias.position == Position(3, 8))
        // A node starts at its properties: the block mapping starts at `&b`.
        #expect(target.position == Position(1, 7))
        #expect(alias.resolved.position == Position(1, 7))
        #expect(alias.resolved.anchor == "b")
        #expect(alias.resolved.at(.value("x"))?.scalar?.text == "1")
        #expect(alias.expandedSize == target.expandedSize)
        #expect(alias.height == target.height)
    }

    @Test func accessorsLookThroughAliases() throws {
        let node = try root("s: &s hello\nm: &m {k: v}\nl: &l [1]\nas: *s\nam: *m\nal: *l\n")
        #expect(node.at(.value("as"))?.scalar?.text == "hello")
        #expect(node.at(.value("am"))?.entries?.first?.value.scalar?.text == "v")
        #expect(node.at(.value("al"))?.items?.count == 1)
        #expect(node.at(.value("am"))?.kindDescription == "a mapping")
        #expect(node.at(.value("as"))?.position == Position(4, 5))
    }

    @Test func resolvedOfAnOrdinaryNodeIsTheNodeItself() throws {
        let node = try root("a: 1\n")
        #expect(node.resolved.position == node.position)
        #expect(node.resolved.entries?.count == 1)
    }

    @Test func aliasesInsideAnAliasedNodeStayAliases() throws {
        let node = try root("a: &a 1\nb: &b [*a, *a]\nc: *b\n")
        let c = try #require(node.at(.value("c")))
        let first = try #require(c.items?.first)
        guard case .alias(let name, _) = first.kind else {
            Issue.record("expected an alias, got \(first.kind)")
            return
        }
        #expect(name == "a")
        #expect(first.position == Position(2, 8))
        #expect(first.scalar?.text == "1")
    }

    @Test func aRedefinedAnchorIsUsedFromItsNewDefinitionOn() throws {
        let node = try root("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
        #expect(node.at(.value("b"))?.scalar?.text == "1")
        #expect(node.at(.value("d"))?.scalar?.text == "2")
    }

    struct UndefinedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var at: Position
        var testDescription: String { name }
    }

    @Test(
        "undefined aliases are reported at the alias",
        arguments: [
            UndefinedCase(name: "no anchor at all", yaml: "a: *missing\n", at: Position(1, 4)),
            UndefinedCase(name: "anchor after the alias", yaml: "a: *x\nb: &x 1\n", at: Position(1, 4)),
            UndefinedCase(name: "alias inside its own anchor", yaml: "a: &x [1, *x]\n", at: Position(1, 11)),
            UndefinedCase(name: "anchor from an earlier document", yaml: "a: &x 1\n---\nb: *x\n", at: Position(3, 4)),
            UndefinedCase(name: "nested in a sequence", yaml: "list:\n  - ok\n  - *nope\n", at: Position(3, 5)),
        ])
    func undefinedAlias(_ c: UndefinedCase) throws {
        let error = try readError(c.yaml)
        #expect(error.kind == .undefinedAlias)
        #expect(error.position == c.at)
        #expect(character(at: error.position, in: c.yaml) == "*")
        #expect(error.description.hasPrefix("\(c.at): "))
    }

    @Test func undefinedAliasNamesTheAnchor() throws {
        let error = try readError("a: *missing\n")
        #expect(error.message.contains("missing"))
    }
}
