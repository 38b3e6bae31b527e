import PlatformWire
import SupportSync

/// Any bytes as a request body of the platform API, decoded as the server
/// decodes them (an agent, a ticket draft, a team-field patch): a value or
/// a `PlatformError`, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = AgentBodyValidator.validate(json: bytes, id: "desk")
    _ = try? WireRequest.decode(TicketDraft.self, from: bytes, allowed: WireRequest.draftFields)
    _ = try? WireRequest.decode(TicketPatch.self, from: bytes, allowed: WireRequest.patchFields)
    return 0
}
