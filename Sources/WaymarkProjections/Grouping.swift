/// Items grouped by a small integer key (a symbol's index), keeping their order within each
/// group: a counting sort. `order` lists the items' indexes group after group, and group `g`
/// is `order[starts[g]..<starts[g + 1]]`.
struct Grouping {
    var order: [UInt32] = []
    var starts: [Int32] = [0]

    /// No items, no groups.
    init() {}

    /// Groups items `0..<count` by `key(i)`, each below `keys` (nil: the item is left out).
    /// `key` is called twice per item.
    init(count: Int, keys: Int, key: (Int) -> Int?) {
        starts = [Int32](repeating: 0, count: keys + 1)
        for i in 0..<count { if let k = key(i) { starts[k + 1] += 1 } }
        for k in 1..<starts.count { starts[k] += starts[k - 1] }
        order = [UInt32](repeating: 0, count: Int(starts[keys]))
        var next = starts
        for i in 0..<count {
            guard let k = key(i) else { continue }
            order[Int(next[k])] = UInt32(i)
            next[k] += 1
        }
    }

    /// The items of group `key` (none for a key beyond the table).
    func items(_ key: Int) -> ArraySlice<UInt32> { order[Grouping.range(of: key, in: starts)] }

    /// Where group `key`'s items are, for any list laid out by `starts` (empty for a key
    /// beyond them).
    static func range(of key: Int, in starts: [Int32]) -> Range<Int> {
        key + 1 < starts.count ? Int(starts[key])..<Int(starts[key + 1]) : 0..<0
    }

    /// Sorts the items of each group by `less` (the groups stay where they are). A group
    /// already in order, as most are (items come in log order, which is mostly time order), is
    /// only checked: one comparison per item.
    mutating func sortEachGroup(by less: (UInt32, UInt32) -> Bool) {
        let starts = self.starts
        order.withUnsafeMutableBufferPointer { all in
            for k in 0..<(starts.count - 1) where starts[k + 1] - starts[k] > 1 {
                var group = UnsafeMutableBufferPointer(rebasing: all[Int(starts[k])..<Int(starts[k + 1])])
                var i = 1
                while i < group.count && !less(group[i], group[i - 1]) { i += 1 }
                if i < group.count { group.sort(by: less) }
            }
        }
    }

    /// Calls `body` with each group that has items, by key, and where its items are in `order`.
    func forEachGroup(_ body: (Int, Range<Int>) -> Void) {
        for k in 0..<(starts.count - 1) where starts[k + 1] > starts[k] { body(k, Int(starts[k])..<Int(starts[k + 1])) }
    }
}

extension RandomAccessCollection where Index == Int {
    /// The first index whose element is not `below`, in a collection whose elements that are
    /// all come first: a binary search.
    func partitionPoint(_ below: (Element) -> Bool) -> Int {
        var lo = startIndex, hi = endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if below(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
