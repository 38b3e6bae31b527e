import Foundation

/// A moment as an agent's clock shows it: the date, the day of the week
/// and the minute of the day in the agent's time zone.
public struct LocalMoment: Sendable, Hashable {
    /// `YYYY-MM-DD`; nil for "any day that is not a closed date" (the week table).
    public var date: String?
    public var weekday: Weekday
    /// Minutes since midnight, 0..<1440.
    public var minute: Int

    public init(date: String?, weekday: Weekday, minute: Int) {
        self.date = date
        self.weekday = weekday
        self.minute = minute
    }
}

/// An instant with the offset of the zone it is read in: what `--at` and a
/// scenario's `at` name.
public struct ZonedMoment: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var instant: Int
    /// Seconds east of UTC at that instant in the zone.
    public var offset: Int
    /// The IANA zone; nil for UTC (an agent without hours).
    public var zone: String?

    /// The moment on the zone's clock.
    public var local: LocalMoment {
        let seconds = instant + offset
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let civil = CivilDate(days: days)
        return LocalMoment(
            date: civil.description, weekday: civil.weekday, minute: (seconds - days * 86_400) / 60)
    }

    /// RFC 3339 in the zone: `2026-12-05T20:00:00+01:00`; `Z` without a zone.
    public var rfc3339: String {
        let seconds = instant + offset
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let time = seconds - days * 86_400
        let clock = "\(Self.two(time / 3600)):\(Self.two(time / 60 % 60)):\(Self.two(time % 60))"
        return "\(CivilDate(days: days))T\(clock)\(zone == nil ? "Z" : Self.offsetText(offset))"
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `+01:00`; an offset with seconds (a zone's local mean time before
    /// 1900, such as Madrid's -00:14:44) keeps them, as ISO 8601 writes it,
    /// so the clock and the offset printed beside it always add up.
    static func offsetText(_ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let seconds = abs(offset)
        let text = "\(sign)\(two(seconds / 3600)):\(two(seconds / 60 % 60))"
        return seconds % 60 == 0 ? text : text + ":\(two(seconds % 60))"
    }

    /// Reads `text`: RFC 3339 with an offset or `Z` (seconds and their fraction optional), or a
    /// local `YYYY-MM-DDTHH:MM[:SS]` in `zone` (in UTC when nil). A local
    /// time a daylight-saving change skips or repeats is refused, naming
    /// both readings.
    public static func parse(_ text: String, zone: String?) -> Result<ZonedMoment, MomentError> {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            return bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        let shape =
            "'\(text)' is not a time: write 2026-12-05T20:00 (the agent's local time) or 2026-12-05T20:00+01:00"
        guard bytes.count >= 16, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16)
        else { return .failure(MomentError(shape)) }
        var index = 16
        var second = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard let value = number(index + 1..<index + 3) else { return .failure(MomentError(shape)) }
            second = value
            index += 3
            // A fraction of a second (RFC 3339 allows it) does not change the minute.
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let digits = bytes[index...].prefix { (0x30...0x39).contains($0) }.count
                guard digits > 0 else { return .failure(MomentError(shape)) }
                index += digits
            }
        }
        var offset: Int?
        if index < bytes.count {
            let sign = bytes[index]
            if (sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z")) && index + 1 == bytes.count {
                offset = 0
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), bytes.count == index + 6,
                bytes[index + 3] == UInt8(ascii: ":"), let hours = number(index + 1..<index + 3),
                let minutes = number(index + 4..<index + 6), hours < 24, minutes < 60
            {
                offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return .failure(MomentError(shape))
            }
        }
        let dateText = String(decoding: bytes[0..<10], as: UTF8.self)
        guard AgentDecoder.isDate(dateText) else {
            return .failure(MomentError("'\(text)' is not a time: \(dateText) is not a date"))
        }
        guard hour < 24, minute < 60, second < 60 else {
            return .failure(MomentError("'\(text)' is not a time: the clock runs from 00:00 to 23:59"))
        }
        let civil = CivilDate(year: year, month: month, day: day)
        let wall = civil.days * 86_400 + hour * 3600 + minute * 60 + second
        let timeZone = zone.flatMap(TimeZones.zone(named:))
        if let offset {
            let instant = wall - offset
            return .success(
                ZonedMoment(
                    instant: instant, offset: timeZone.map { Self.offset(of: $0, at: instant) } ?? 0, zone: zone))
        }
        guard let timeZone else { return .success(ZonedMoment(instant: wall, offset: 0, zone: nil)) }
        // The offsets in force around the wall time; each reading that the
        // zone agrees with is a real moment.
        let candidates = Set([-86_400, 0, 86_400].map { Self.offset(of: timeZone, at: wall + $0) })
        let readings = candidates.sorted(by: >).filter { Self.offset(of: timeZone, at: wall - $0) == $0 }
        let local = "\(civil)T\(two(hour)):\(two(minute))" + (second == 0 ? "" : ":\(two(second))")
        let name = zone!
        if readings.count == 1 {
            return .success(ZonedMoment(instant: wall - readings[0], offset: readings[0], zone: zone))
        }
        if readings.isEmpty {
            // Skipped: each offset of the change reads it as a moment on the other side.
            let offsets = candidates.sorted()
            let both = offsets.map { offset -> String in
                let moment = ZonedMoment(
                    instant: wall - offset, offset: Self.offset(of: timeZone, at: wall - offset), zone: zone)
                return "\(local)\(offsetText(offset)) (which is \(moment.rfc3339))"
            }
            return .failure(
                MomentError(
                    "\(local) does not exist in \(name): the clocks skip it on a daylight-saving change; "
                        + "it could mean \(both.joined(separator: " or ")); write one of them"))
        }
        let both = readings.map { "\(local)\(offsetText($0))" }
        return .failure(
            MomentError(
                "\(local) happens twice in \(name): the clocks repeat it on a daylight-saving change; "
                    + "it could mean \(both[0]) (the first) or \(both[1]) (the second); write one of them"))
    }

    static func offset(of zone: TimeZone, at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }
}

/// A time that cannot be read (SPEC: `explain --at`, a scenario's `at`).
public struct MomentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A day of the proleptic Gregorian calendar, counted from 1970-01-01.
struct CivilDate: Sendable, Hashable, CustomStringConvertible {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// From days since 1970-01-01 (H. Hinnant's civil_from_days).
    init(days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shifted + 2) / 5 + 1
        month = shifted < 10 ? shifted + 3 : shifted - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (days_from_civil).
    var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((days + 3) % 7 + 7) % 7
        return Weekday.allCases[index]
    }

    /// `YYYY-MM-DD`; a year outside 0000...9999 (a moment at the edge of
    /// the range read in a zone's clock) in ISO 8601's expanded form,
    /// `-0001-12-31` or `+10000-01-01`.
    var description: String {
        let yearText = String(abs(year))
        let sign = year < 0 ? "-" : year > 9999 ? "+" : ""
        return sign + String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-"
            + ZonedMoment.two(month) + "-" + ZonedMoment.two(day)
    }
}

extension ZonedMoment {
    /// The date `days` after `date` (both `YYYY-MM-DD`); nil when `date` is not a date.
    public static func date(_ date: String, plus days: Int) -> String? {
        guard AgentDecoder.isDate(date), let year = Int(date.prefix(4)),
            let month = Int(date.dropFirst(5).prefix(2)), let day = Int(date.suffix(2))
        else { return nil }
        return CivilDate(days: CivilDate(year: year, month: month, day: day).days + days).description
    }

    /// Today's date in UTC.
    public static func today(_ now: Date = Date()) -> String {
        CivilDate(days: Int((now.timeIntervalSince1970 / 86_400).rounded(.down))).description
    }
}
