import Foundation

/// The checksum of a file the tool keeps for itself under `.git/supportsync/`
/// (the history index, the list cache), against a file cut short or damaged:
/// one that does not match is rebuilt, never believed. Not against someone
/// who can write the git folder, who can rewrite history itself.
///
/// FNV-1a, 64 bits, on 8-byte words in four lanes (word `i` goes to lane
/// `i % 4`, so the multiplications do not wait for one another: a 20 MB
/// list cache takes a millisecond or two), the lanes then folded into one
/// with the last bytes. Each step is a bijection of a lane's state, so any
/// one changed word changes the sum.
package enum FileChecksum {
    package static func of(_ bytes: some ContiguousBytes) -> UInt64 {
        let basis: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x100_0000_01b3
        return bytes.withUnsafeBytes { raw in
            var lanes = (basis, basis ^ 1, basis ^ 2, basis ^ 3)
            func word(_ index: Int) -> UInt64 {
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            }
            let blocks = raw.count / 32
            for block in 0..<blocks {
                lanes.0 = (lanes.0 ^ word(block * 4)) &* prime
                lanes.1 = (lanes.1 ^ word(block * 4 + 1)) &* prime
                lanes.2 = (lanes.2 ^ word(block * 4 + 2)) &* prime
                lanes.3 = (lanes.3 ^ word(block * 4 + 3)) &* prime
            }
            var hash = basis
            for lane in [lanes.0, lanes.1, lanes.2, lanes.3] { hash = (hash ^ lane) &* prime }
            for byte in raw[(blocks * 32)...] { hash = (hash ^ UInt64(byte)) &* prime }
            return hash
        }
    }
}
