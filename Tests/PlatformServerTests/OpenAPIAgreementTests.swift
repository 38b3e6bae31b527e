import Foundation
import PlatformServer
import Testing
import YAML

/// The server's routes and `openapi/platform.yaml` describe the same API:
/// a route added to one and not the other fails here.
@Suite struct OpenAPIAgreementTests {
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi/platform.yaml")

    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func document() throws -> Node {
        let bytes = try [UInt8](Data(contentsOf: documentURL))
        let documents = try YAMLReader.read(bytes)
        return try #require(documents.first?.root)
    }

    static func value(_ node: Node, _ key: String) -> Node? {
        node.entries?.first { $0.key.scalar?.text == key }?.value
    }

    /// Every operation of the document as a route, in document order.
    static func documentedRoutes(_ root: Node) throws -> [PlatformRoute] {
        let paths = try #require(value(root, "paths")?.entries, "the document has no paths")
        var routes: [PlatformRoute] = []
        for path in paths {
            let pathText = try #require(path.key.scalar?.text)
            for member in try #require(path.value.entries, "\(pathText) is not a mapping") {
                guard let key = member.key.scalar?.text, operationKeys.contains(key) else { continue }
                routes.append(PlatformRoute(method: key.uppercased(), path: pathText))
            }
        }
        return routes
    }

    @Test func routesAndDocumentAgreeExactly() throws {
        let documented = try Self.documentedRoutes(Self.document())
        #expect(Set(documented).count == documented.count, "an operation is documented twice")
        #expect(Set(PlatformServer.routes).count == PlatformServer.routes.count, "a route is registered twice")
        let served = Set(PlatformServer.routes)
        let described = Set(documented)
        #expect(served.subtracting(described).sorted() == [], "served but not documented")
        #expect(described.subtracting(served).sorted() == [], "documented but not served")
        #expect(!served.isEmpty)
    }

    /// Every route needs the token, so every operation must document 401,
    /// and the document must require bearer authentication throughout.
    @Test func everyOperationDocumentsAuthentication() throws {
        let root = try Self.document()
        let security = try #require(Self.value(root, "security")?.items)
        #expect(security.contains { Self.value($0, "bearerAuth") != nil })
        let scheme = try #require(Self.value(root, "components").flatMap { Self.value($0, "securitySchemes") })
        #expect(Self.value(scheme, "bearerAuth").flatMap { Self.value($0, "scheme") }?.scalar?.text == "bearer")
        for path in try #require(Self.value(root, "paths")?.entries) {
            for operation in path.value.entries ?? []
            where Self.operationKeys.contains(operation.key.scalar?.text ?? "") {
                let responses = Self.value(operation.value, "responses")
                #expect(
                    responses.flatMap { Self.value($0, "401") } != nil,
                    "\(path.key.scalar?.text ?? "") \(operation.key.scalar?.text ?? "")")
            }
        }
    }

    /// Every operation that reads a body documents the 415 for a body not
    /// declared JSON, and no other does.
    @Test func everyOperationWithABodyDocuments415() throws {
        let root = try Self.document()
        var documented: Set<PlatformRoute> = []
        for path in try #require(Self.value(root, "paths")?.entries) {
            for operation in path.value.entries ?? []
            where Self.operationKeys.contains(operation.key.scalar?.text ?? "") {
                if Self.value(operation.value, "responses").flatMap({ Self.value($0, "415") }) != nil {
                    documented.insert(
                        PlatformRoute(
                            method: (operation.key.scalar?.text ?? "").uppercased(), path: path.key.scalar?.text ?? ""))
                }
            }
        }
        #expect(documented == Set(PlatformServer.routesTakingABody))
        #expect(documented.count == 5)
    }
}
