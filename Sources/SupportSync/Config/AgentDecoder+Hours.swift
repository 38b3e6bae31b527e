extension AgentDecoder {
    static let hoursKeys = ["timezone", "weekly", "closed"]

    private struct OpenRange {
        var day: Weekday
        var start: Int
        var end: Int
        var text: String
        var location: SourceLocation
    }

    /// `keyLocation` is where `hours:` is written: a missing key is reported there.
    mutating func decodeHours(_ node: ConfigNode, keyLocation: SourceLocation) -> Hours? {
        let path = "support.escalate.hours"
        guard let members = reader.mapping(node, path: path, allowed: Self.hoursKeys) else { return nil }
        var hours = Hours(timezone: "", weekly: Weekly())
        if let member = members["timezone"], let zone = reader.string(member.value, path: "\(path).timezone") {
            if TimeZones.isIANAName(zone.value) {
                hours.timezone = zone.value
            } else {
                reader.report(
                    .hoursTimezone, at: zone.location,
                    TimeZones.fixedOffsetReason(for: zone.value)
                        ?? "'\(zone.value)' is not an IANA time zone name; abbreviations and fixed offsets do not follow daylight saving time",
                    hint: TimeZones.suggestion(for: zone.value).map { "did you mean '\($0)'?" }
                        ?? "use a name such as Europe/Madrid or America/New_York")
            }
        } else if members["timezone"] == nil, context != nil {
            // Checked once merged into an agent (context set): defaults'
            // or an overlay's hours may leave the zone to the agent's file.
            reader.reportMissing(
                "timezone", of: node, at: keyLocation,
                removed: (
                    "\(path).timezone is null, which removes it, and hours need a time zone",
                    hint: "set timezone: Europe/Madrid here, or delete this line"
                ),
                missing: ("\(path) has no 'timezone'", hint: "add timezone: Europe/Madrid"))
        }
        if let member = members["weekly"] {
            hours.weekly = weekly(member.value, path: "\(path).weekly")
        } else if context != nil {
            reader.reportMissing(
                "weekly", of: node, at: keyLocation,
                removed: (
                    "\(path).weekly is null, which removes it, and hours need opening hours",
                    hint: "set weekly: {mon-fri: \"09:00-17:00\"} here, or delete this line"
                ),
                missing: ("\(path) has no 'weekly' opening hours", hint: "add weekly: {mon-fri: \"09:00-17:00\"}"))
        }
        if let member = members["closed"], let items = reader.list(member.value, path: "\(path).closed") {
            reportCount(items, path: "\(path).closed", max: Patterns.maxClosedDates, rule: .hoursClosedDate)
            for item in items {
                guard let date = reader.string(item, path: "a closed date") else { continue }
                if Self.isDate(date.value) {
                    hours.closed.append(date.value)
                } else {
                    reader.report(
                        .hoursClosedDate, at: date.location, "'\(date.value)' is not a date written YYYY-MM-DD")
                }
            }
            hours.closed = Array(Set(hours.closed)).sorted()
        }
        return hours
    }

    private mutating func weekly(_ node: ConfigNode, path: String) -> Weekly {
        guard let members = node.members else {
            reader.report(
                .wrongType, at: node.location,
                "\(path) must be a mapping of days to hours, found \(node.kindDescription)")
            return Weekly()
        }
        var ranges: [OpenRange] = []
        for member in members {
            // A null day closes it; its key must still be a day (`tues: null` closes nothing).
            guard let days = dayKey(member.key, at: member.keyLocation), !member.value.isNull else { continue }
            let values: [ConfigNode]
            if member.value.scalar != nil {
                values = [member.value]
            } else if let items = reader.list(member.value, path: "\(path).\(member.key)") {
                values = items
            } else {
                continue
            }
            for value in values {
                guard let text = reader.string(value, path: "an opening range"), let (start, end) = timeRange(text)
                else {
                    continue
                }
                ranges += days.map {
                    OpenRange(day: $0, start: start, end: end, text: text.value, location: text.location)
                }
            }
        }
        reportOverlaps(ranges)
        // Hours written for one day under two keys add up, so `tue: []` (or
        // `tue: null`) next to `mon-fri` closes nothing: said, not passed
        // over. (From another file, a day replaces the inherited one:
        // DefaultsMerge.mergeWeekly.)
        for member in members where member.value.opensNoHours {
            guard let days = Weekday.days(of: member.key) else { continue }
            let opening = members.filter { other in
                other.key != member.key && !other.value.opensNoHours
                    && Weekday.days(of: other.key).map { !Set($0).isDisjoint(with: days) } == true
            }
            guard !opening.isEmpty else { continue }
            let opened = Set(opening.flatMap { Weekday.days(of: $0.key) ?? [] })
            let kept = days.filter(opened.contains)
            let written = "'\(member.key): \(member.value.isNull ? "null" : "[]")'"
            let what = kept == days ? "closes nothing" : "does not close \(Self.dayList(kept))"
            let openers = opening.map { "'\($0.key)' (line \($0.keyLocation.line))" }
            let open = Weekday.allCases.filter { !days.contains($0) && opened.contains($0) }
            let hint: String
            if kept != days {
                hint = "close only the days nothing else opens: \(Self.dayList(days.filter { !opened.contains($0) }))"
            } else if !open.isEmpty {
                // The closed days are all within the open keys: open the other days only.
                hint = "write the open days only: \(Self.dayList(open))"
            } else {
                hint = "delete this line, or the hours of the days it means to close"
            }
            reader.report(
                .hoursOverlap, at: member.keyLocation,
                "\(written) \(what): \(Self.listed(openers)) \(opening.count == 1 ? "opens" : "open") \(kept.count == 1 ? "it" : "them"), and hours written for a day under two keys add up",
                hint: hint)
        }
        var weekly = Weekly()
        // Sorted once, by day and then time: each day's texts in order, without repeats.
        let order = ranges.indices.sorted {
            (ranges[$0].day, ranges[$0].start, ranges[$0].end) < (ranges[$1].day, ranges[$1].start, ranges[$1].end)
        }
        var texts = [[String]](repeating: [], count: Weekday.allCases.count)
        // A set of each day's texts only where a day holds many.
        var written = ranges.count <= 32 ? [] : [Set<String>](repeating: [], count: Weekday.allCases.count)
        for index in order {
            let day = Weekday.allCases.firstIndex(of: ranges[index].day)!
            let text = ranges[index].text
            let new = written.isEmpty ? !texts[day].contains(text) : written[day].insert(text).inserted
            if new { texts[day].append(text) }
        }
        for (day, dayTexts) in zip(Weekday.allCases, texts) { weekly[day] = dayTexts }
        return weekly
    }

    /// `a`, `a and b`, `a, b and c`.
    static func listed(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// Days for a message: `mon, wed, thu, fri`.
    static func dayList(_ days: [Weekday]) -> String { days.map(\.rawValue).joined(separator: ", ") }

    /// `mon`, or a range running forward through the week such as `mon-fri`
    /// (`Weekday.days(of:)`); anything else is reported, saying why.
    private mutating func dayKey(_ key: String, at location: SourceLocation) -> [Weekday]? {
        if let days = Weekday.days(of: key) { return days }
        let parts = key.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let days = parts.compactMap { Weekday(rawValue: $0) }
        if parts.count == 2, days.count == 2 {
            reader.report(
                .hoursDay, at: location, "the day range '\(key)' runs backwards; ranges run from mon to sun",
                hint: "split it: \(days[0].rawValue)-sun and mon-\(days[1].rawValue)")
        } else {
            let names = Weekday.allCases.map(\.rawValue)
            let suggestion = parts.count == 1 ? Suggestion.closest(to: String(key.prefix(3)), in: names) : nil
            reader.report(
                .hoursDay, at: location, "'\(key)' is not a day (mon..sun) or a range of days such as mon-fri",
                hint: suggestion.map { "did you mean '\($0)'?" })
        }
        return nil
    }

    /// `HH:MM-HH:MM` in minutes since midnight; the end may be 24:00.
    private mutating func timeRange(_ text: Located<String>) -> (Int, Int)? {
        let value = text.value
        let dash = value.utf8.firstIndex(of: UInt8(ascii: "-"))
        guard let dash, let start = Self.minutes(value[..<dash], allowMidnightEnd: false),
            let end = Self.minutes(value[value.utf8.index(after: dash)...], allowMidnightEnd: true)
        else {
            reader.report(
                .hoursRange, at: text.location,
                "'\(text.value)' is not an opening range written HH:MM-HH:MM (24-hour clock; the end may be 24:00)")
            return nil
        }
        guard end > start else {
            reader.report(
                .hoursRange, at: text.location, "the range '\(text.value)' ends before it starts or is empty",
                hint: "a range never crosses midnight: split it into ...-24:00 and 00:00-...")
            return nil
        }
        return (start, end)
    }

    /// `HH:MM` as minutes since midnight; nil for anything else (another
    /// dash included, so `09:00-12:00-13:00` is no range).
    private static func minutes(_ text: Substring, allowMidnightEnd: Bool) -> Int? {
        let bytes = text.utf8
        guard bytes.count == 5 else { return nil }
        var value = 0
        for (offset, byte) in bytes.enumerated() {
            if offset == 2 {
                guard byte == UInt8(ascii: ":") else { return nil }
            } else {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
        }
        let hours = value / 100
        let minutes = value % 100
        if allowMidnightEnd && hours == 24 && minutes == 0 { return 24 * 60 }
        guard hours < 24, minutes < 60 else { return nil }
        return hours * 60 + minutes
    }

    /// Reports each range that overlaps an earlier-written range of the same
    /// day, once, naming the first such range. Linear in the ranges however
    /// many a file writes: past a few, each day's minutes remember the
    /// first range that holds them, so a range's earliest overlap is the
    /// least holder of its minutes (a few are compared pairwise, without
    /// the table). A range read again through an alias (the same place,
    /// the same day) is the one range.
    private mutating func reportOverlaps(_ ranges: [OpenRange]) {
        let minutes = 24 * 60
        let pairwise = ranges.count <= 32
        var holders = pairwise ? [] : [Int](repeating: -1, count: Weekday.allCases.count * minutes)
        var seen: Set<SourceLocation> = []
        var seenDays: [Weekday: Set<SourceLocation>] = [:]
        for index in ranges.indices {
            let later = ranges[index]
            var first: Int?
            if pairwise {
                if ranges[..<index].contains(where: { $0.day == later.day && $0.location == later.location }) {
                    continue
                }
                first = ranges[..<index].firstIndex {
                    $0.day == later.day && $0.start < later.end && later.start < $0.end
                }
            } else {
                guard seenDays[later.day, default: []].insert(later.location).inserted else { continue }
                let base = Weekday.allCases.firstIndex(of: later.day)! * minutes
                for minute in (base + later.start)..<(base + min(later.end, minutes)) {
                    let holder = holders[minute]
                    if holder < 0 {
                        holders[minute] = index
                    } else if holder < first ?? Int.max {
                        first = holder
                    }
                }
            }
            guard let first, seen.insert(later.location).inserted else { continue }
            let earlier = ranges[first]
            reader.report(
                .hoursOverlap, at: later.location,
                "'\(later.text)' overlaps '\(earlier.text)' on \(later.day.rawValue)",
                notes: [Diagnostic.Note(location: earlier.location, message: "the other range")])
        }
    }

    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)),
            let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
            let day = Int(String(decoding: bytes[8..<10], as: UTF8.self)),
            [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ (0x30...0x39).contains(bytes[$0]) })
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && (1...lengths[month - 1]).contains(day)
    }
}
