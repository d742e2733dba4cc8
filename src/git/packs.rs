//! Objects read straight from the repository's pack files, for score's
//! history scan. A delta chain is resolved from its nearest cached link and
//! every object resolved on the way is kept, as git's delta base cache does.
//! gitoxide's pack cache keeps only the object asked for, and never a whole
//! (undeltified) one: in a pack that git's pack-objects wrote the newest
//! version of a tree is whole and the next older one a delta against it, so
//! each older read decompressed the whole newer tree again (a third of the
//! scan's decompression on a 57,000-commit history).
//!
//! Objects these packs do not hold (loose ones) and objects they hold
//! damaged are the caller's to read another way: nothing here is the last
//! word on an object.

use gix_pack::data::{Entry, entry::Header};
use rustc_hash::FxHashMap as FxMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// An object's content, shared between the cache and its reader.
pub(crate) type Content = Rc<Vec<u8>>;

/// The largest object read here: a pack header claiming more is damaged or
/// hostile, and the object is left to the caller's other reader.
const MAX_OBJECT_BYTES: u64 = 256 << 20;
/// The longest delta chain followed (git's pack-objects caps depth at 4095).
const MAX_CHAIN: usize = 10_000;

/// The repository's packs, opened once and shared by the scan's workers.
pub(crate) struct Packs(Vec<gix_pack::Bundle>);

impl Packs {
    /// Opens the packs of the object directory and of those it borrows
    /// from (`info/alternates`), the largest first (most lookups end
    /// there). A pack that cannot be opened is left out.
    pub(crate) fn open(objects: &Path) -> Packs {
        let mut bundles: Vec<gix_pack::Bundle> = object_dirs(objects)
            .iter()
            .flat_map(|dir| std::fs::read_dir(dir.join("pack")).into_iter().flatten())
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
            .filter_map(|path| gix_pack::Bundle::at(&path, gix_hash::Kind::Sha1).ok())
            .collect();
        bundles.sort_by_key(|bundle| std::cmp::Reverse(bundle.index.num_objects()));
        Packs(bundles)
    }

    /// Which pack holds the object, and where.
    fn locate(&self, id: &gix_hash::oid) -> Option<(u32, u64)> {
        self.0.iter().enumerate().find_map(|(pack, bundle)| {
            let index = bundle.index.lookup(id)?;
            Some((pack as u32, bundle.index.pack_offset_at_index(index)))
        })
    }

    fn pack(&self, pack: u32) -> &gix_pack::data::File {
        &self.0[pack as usize].pack
    }
}

/// How deep git follows alternates that name alternates.
const MAX_ALTERNATE_DEPTH: usize = 5;
/// The most of an `info/alternates` file read (a path a line).
const MAX_ALTERNATES_BYTES: u64 = 64 << 10;

/// The object directory and those it borrows objects from, as git reads
/// `info/alternates`: a directory a line, relative to the one naming it or
/// absolute, `#` comments. (A quoted line is left to gitoxide's store,
/// which reads what these packs do not hold.)
fn object_dirs(objects: &Path) -> Vec<PathBuf> {
    use std::io::Read;
    let start = objects
        .canonicalize()
        .unwrap_or_else(|_| objects.to_path_buf());
    let mut dirs = vec![(start, 0)];
    let mut at = 0;
    while let Some((dir, depth)) = dirs.get(at).cloned() {
        at += 1;
        if depth == MAX_ALTERNATE_DEPTH {
            continue;
        }
        let mut text = String::new();
        let read = std::fs::File::open(dir.join("info/alternates"))
            .and_then(|file| file.take(MAX_ALTERNATES_BYTES).read_to_string(&mut text));
        if read.is_err() {
            continue;
        }
        for line in text.lines() {
            if line.is_empty() || line.starts_with(['#', '"']) {
                continue;
            }
            let named = dir.join(line);
            let named = named.canonicalize().unwrap_or(named);
            if !dirs.iter().any(|(known, _)| *known == named) {
                dirs.push((named, depth + 1));
            }
        }
    }
    dirs.into_iter().map(|(dir, _)| dir).collect()
}

/// Why an object was not read from the packs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unread {
    /// No pack holds it.
    NotInPacks,
    /// A pack holds it, but its entry or a link of its delta chain is
    /// damaged (or too big to be believed).
    Damaged,
}

/// One worker's reader: its decompressor, its cache and its scratch space.
pub(crate) struct PackReader {
    packs: std::sync::Arc<Packs>,
    inflate: gix_zlib::Inflate,
    cache: BaseCache,
    /// The delta being applied, decompressed.
    delta: Vec<u8>,
    /// The links of the chain being resolved, the object asked for first.
    chain: Vec<Link>,
    /// Cache lookups so far: resolving an object looks up each link of its
    /// chain until one is cached or whole, so lookups per read tell how long
    /// the chains are that the reads walk.
    links: usize,
    /// Whether whole objects are cached too, not only resolved deltas:
    /// worth it for trees (the next older version is a delta against the
    /// one just read), not for commits, which are read once.
    keep_whole: bool,
}

/// A delta of a chain being resolved: its pack and entry (which knows
/// its offset, the cache's key).
struct Link {
    pack: u32,
    entry: Entry,
}

impl PackReader {
    /// A reader keeping about `cache_bytes` of resolved objects.
    pub(crate) fn new(
        packs: std::sync::Arc<Packs>,
        cache_bytes: usize,
        keep_whole: bool,
    ) -> PackReader {
        PackReader {
            packs,
            inflate: gix_zlib::Inflate::default(),
            cache: BaseCache::new(cache_bytes),
            delta: Vec::new(),
            chain: Vec::new(),
            links: 0,
            keep_whole,
        }
    }

    /// Delta links looked up so far.
    pub(crate) fn links(&self) -> usize {
        self.links
    }

    /// The object's kind and content.
    pub(crate) fn read(
        &mut self,
        id: &gix_hash::oid,
    ) -> Result<(gix_object::Kind, Content), Unread> {
        let (pack, offset) = self.packs.locate(id).ok_or(Unread::NotInPacks)?;
        self.resolve(pack, offset).ok_or(Unread::Damaged)
    }

    /// Walks the chain down to a cached or whole object, then applies the
    /// deltas back up, caching each result.
    fn resolve(&mut self, mut pack: u32, mut offset: u64) -> Option<(gix_object::Kind, Content)> {
        self.chain.clear();
        let (kind, mut content) = loop {
            self.links += 1;
            if let Some(found) = self.cache.get(pack, offset) {
                break found;
            }
            let entry = self.packs.pack(pack).entry(offset).ok()?;
            let base = match entry.header {
                Header::OfsDelta { base_distance } => {
                    (pack, entry.checked_base_pack_offset(base_distance)?)
                }
                Header::RefDelta { base_id } => self.packs.locate(&base_id)?,
                _ => {
                    let kind = entry.header.as_kind()?;
                    let content = self.inflate_whole(pack, &entry)?;
                    if self.keep_whole || !self.chain.is_empty() {
                        self.cache.put(pack, offset, kind, content.clone());
                    }
                    break (kind, content);
                }
            };
            if self.chain.len() == MAX_CHAIN {
                return None;
            }
            self.chain.push(Link { pack, entry });
            (pack, offset) = base;
        };
        while let Some(link) = self.chain.pop() {
            content = self.apply(&link, &content)?;
            let offset = link.entry.pack_offset();
            self.cache.put(link.pack, offset, kind, content.clone());
        }
        Some((kind, content))
    }

    /// Decompresses a whole object into a reused buffer.
    fn inflate_whole(&mut self, pack: u32, entry: &Entry) -> Option<Content> {
        let mut out = self.cache.spare_buffer();
        inflate_entry(self.packs.pack(pack), entry, &mut self.inflate, &mut out)?;
        Some(Rc::new(out))
    }

    /// The object `link`'s delta makes of `base`.
    fn apply(&mut self, link: &Link, base: &[u8]) -> Option<Content> {
        inflate_entry(
            self.packs.pack(link.pack),
            &link.entry,
            &mut self.inflate,
            &mut self.delta,
        )?;
        let mut out = self.cache.spare_buffer();
        apply_delta(base, &self.delta, &mut out)?;
        Some(Rc::new(out))
    }
}

/// Decompresses a pack entry's data into `out`, which is resized to the
/// size its header gives (zeroing only what the buffer grows by).
fn inflate_entry(
    pack: &gix_pack::data::File,
    entry: &Entry,
    inflate: &mut gix_zlib::Inflate,
    out: &mut Vec<u8>,
) -> Option<()> {
    if entry.decompressed_size > MAX_OBJECT_BYTES {
        return None;
    }
    out.resize(entry.decompressed_size as usize, 0);
    // Checks that the stream ends exactly where the header says.
    pack.decompress_entry(entry, inflate, out).ok()?;
    Some(())
}

/// Applies a git delta (two sizes, then copy and insert instructions) to
/// `base`, writing the result to `out`. `None` if the delta does not fit
/// the base or does not make an object of the size it claims.
pub(crate) fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut at = 0;
    let base_size = delta_size(delta, &mut at)?;
    let result_size = delta_size(delta, &mut at)?;
    if base_size != base.len() as u64 || result_size > MAX_OBJECT_BYTES {
        return None;
    }
    let result_size = result_size as usize;
    out.clear();
    out.reserve(result_size);
    while at < delta.len() {
        let command = delta[at];
        at += 1;
        if command & 0x80 != 0 {
            // Copy from the base: offset and size bytes present per flag bit.
            let mut offset = 0usize;
            for byte in 0..4 {
                if command & (1 << byte) != 0 {
                    offset |= usize::from(*delta.get(at)?) << (8 * byte);
                    at += 1;
                }
            }
            let mut size = 0usize;
            for byte in 0..3 {
                if command & (0x10 << byte) != 0 {
                    size |= usize::from(*delta.get(at)?) << (8 * byte);
                    at += 1;
                }
            }
            if size == 0 {
                size = 0x10000;
            }
            let end = offset.checked_add(size)?;
            if end > base.len() || out.len() + size > result_size {
                return None;
            }
            out.extend_from_slice(&base[offset..end]);
        } else if command != 0 {
            // Insert the next `command` bytes of the delta.
            let size = usize::from(command);
            let literal = delta.get(at..at + size)?;
            if out.len() + size > result_size {
                return None;
            }
            out.extend_from_slice(literal);
            at += size;
        } else {
            // Reserved by git's format.
            return None;
        }
    }
    (out.len() == result_size).then_some(())
}

/// A delta header's size: seven bits a byte, least significant first.
fn delta_size(delta: &[u8], at: &mut usize) -> Option<u64> {
    let mut size = 0u64;
    let mut shift = 0;
    loop {
        let byte = *delta.get(*at)?;
        *at += 1;
        if shift > 56 {
            return None;
        }
        size |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(size);
        }
    }
}

/// Resolved objects by pack and offset, in two generations: an entry used
/// since the last rotation stays, older ones go once the current generation
/// holds its share of the bytes, and buffers no reader holds any more are
/// reused.
struct BaseCache {
    current: FxMap<(u32, u64), (gix_object::Kind, Content)>,
    previous: FxMap<(u32, u64), (gix_object::Kind, Content)>,
    current_bytes: usize,
    bytes_per_generation: usize,
    spare: Vec<Vec<u8>>,
}

/// Buffers kept for reuse after a rotation.
const SPARE_BUFFERS: usize = 256;

impl BaseCache {
    fn new(bytes: usize) -> BaseCache {
        BaseCache {
            current: FxMap::default(),
            previous: FxMap::default(),
            current_bytes: 0,
            bytes_per_generation: bytes / 2,
            spare: Vec::new(),
        }
    }

    fn get(&mut self, pack: u32, offset: u64) -> Option<(gix_object::Kind, Content)> {
        let key = (pack, offset);
        if let Some((kind, content)) = self.current.get(&key) {
            return Some((*kind, content.clone()));
        }
        let (kind, content) = self.previous.remove(&key)?;
        self.current_bytes += content.len();
        self.current.insert(key, (kind, content.clone()));
        Some((kind, content))
    }

    fn put(&mut self, pack: u32, offset: u64, kind: gix_object::Kind, content: Content) {
        if content.len() > self.bytes_per_generation {
            return;
        }
        if self.current_bytes >= self.bytes_per_generation {
            let old = std::mem::replace(&mut self.previous, std::mem::take(&mut self.current));
            self.current_bytes = 0;
            let room = SPARE_BUFFERS.saturating_sub(self.spare.len());
            self.spare.extend(
                old.into_values()
                    .filter_map(|(_, content)| Rc::try_unwrap(content).ok())
                    .take(room),
            );
        }
        self.current_bytes += content.len();
        self.current.insert((pack, offset), (kind, content));
    }

    /// A buffer to decode into: one no reader holds any more, else a new one.
    fn spare_buffer(&mut self) -> Vec<u8> {
        self.spare.pop().unwrap_or_default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A delta header size, encoded.
    fn size(mut value: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        loop {
            let low = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                bytes.push(low);
                return bytes;
            }
            bytes.push(low | 0x80);
        }
    }

    fn delta(base: usize, result: usize, instructions: &[u8]) -> Vec<u8> {
        let mut delta = size(base);
        delta.extend(size(result));
        delta.extend_from_slice(instructions);
        delta
    }

    fn apply(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
        let mut out = b"left over".to_vec();
        apply_delta(base, delta, &mut out).map(|()| out)
    }

    #[test]
    fn copies_and_inserts() {
        let base = b"hello, world";
        // copy 5 bytes from offset 7 ("world"), insert "! ", copy 5 from 0.
        let instructions = [0x91, 7, 5, 2, b'!', b' ', 0x90, 5];
        assert_eq!(
            apply(base, &delta(12, 12, &instructions)).as_deref(),
            Some(&b"world! hello"[..])
        );
    }

    #[test]
    fn a_copy_of_size_zero_means_64_kib() {
        let base = vec![7u8; 0x10000 + 3];
        let made = apply(&base, &delta(base.len(), 0x10000, &[0x80])).unwrap();
        assert_eq!(made, vec![7u8; 0x10000]);
    }

    #[test]
    fn multi_byte_offsets_and_sizes() {
        let mut base = vec![0u8; 0x1_0203];
        base[0x1_0200..].copy_from_slice(b"abc");
        // offset 0x010200 in bytes 1 and 3 (flags 0x02, 0x04), size 3.
        let made = apply(
            &base,
            &delta(base.len(), 3, &[0x80 | 0x02 | 0x04 | 0x10, 0x02, 0x01, 3]),
        );
        assert_eq!(made.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let base = b"0123456789";
        let cases: [(&str, Vec<u8>); 8] = [
            ("base size differs", delta(9, 1, &[1, b'x'])),
            ("copy past the base", delta(10, 4, &[0x91, 8, 4])),
            (
                "offset overflows",
                delta(
                    10,
                    1,
                    &[0x8f, 0xff, 0xff, 0xff, 0xff, 0x10 | 0x20, 0xff, 0xff],
                ),
            ),
            ("result longer than claimed", delta(10, 1, &[2, b'x', b'y'])),
            ("result shorter than claimed", delta(10, 3, &[1, b'x'])),
            ("insert runs off the end", delta(10, 5, &[5, b'x'])),
            ("reserved command zero", delta(10, 1, &[0, 1, b'x'])),
            ("truncated copy operands", delta(10, 1, &[0x91, 1])),
        ];
        for (case, delta) in cases {
            assert_eq!(apply(base, &delta), None, "{case}");
        }
        assert_eq!(apply(base, &[]), None, "no header");
        assert_eq!(
            apply(base, &[0x8a, 0x80, 0x80]),
            None,
            "header runs off the end"
        );
        let endless_size = [0xffu8; 12];
        assert_eq!(
            apply(base, &endless_size),
            None,
            "size of more than 64 bits"
        );
        let huge = delta(10, (MAX_OBJECT_BYTES + 1) as usize, &[]);
        assert_eq!(apply(base, &huge), None, "result size beyond the cap");
    }

    #[test]
    fn the_cache_keeps_what_was_used_since_the_last_rotation() {
        let mut cache = BaseCache::new(200);
        let content = |fill: u8| Rc::new(vec![fill; 40]);
        for offset in 0..3 {
            cache.put(0, offset, gix_object::Kind::Tree, content(offset as u8));
        }
        // 120 bytes in the current generation (share: 100): the next put rotates.
        cache.put(0, 3, gix_object::Kind::Tree, content(3));
        assert!(
            cache.get(0, 1).is_some(),
            "the previous generation still answers"
        );
        cache.put(0, 4, gix_object::Kind::Tree, content(4));
        cache.put(0, 5, gix_object::Kind::Tree, content(5));
        cache.put(0, 6, gix_object::Kind::Tree, content(6));
        assert!(cache.get(0, 1).is_some(), "used since the rotation: kept");
        assert!(cache.get(0, 0).is_none(), "not used since: gone");
        assert!(cache.get(0, 2).is_none());
        assert!(!cache.spare.is_empty(), "buffers nobody holds are reused");
        assert!(
            cache.get(1, 1).is_none(),
            "another pack's offset is another object"
        );
        cache.put(0, 9, gix_object::Kind::Tree, Rc::new(vec![0; 101]));
        assert!(
            cache.get(0, 9).is_none(),
            "nothing larger than a generation is kept"
        );
    }

    /// Runs git in `dir` with `stdin`; its output (the test fails if git does).
    pub(crate) fn git(dir: &Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "git {args:?}");
        output.stdout
    }

    /// A history for `git fast-import`, which stores each version of a
    /// file or tree as a delta against the previous one: long chains. (In
    /// one stream each commit continues its branch.)
    fn history(commits: usize) -> Vec<u8> {
        let mut stream = String::new();
        let body: String = (0..200).map(|line| format!("line {line}\n")).collect();
        for n in 1..=commits {
            let path = format!("svc{}/pkg{}/file{}.go", n % 3, n % 5, n % 7);
            let content = format!("{body}change {n}\n");
            stream += &format!(
                "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata 3\nc{}\n",
                1_000_000 + n,
                n % 10
            );
            stream += &format!("M 644 inline {path}\ndata {}\n{content}\n", content.len());
        }
        stream.into_bytes()
    }

    /// How many entries of each delta kind the packs hold.
    fn delta_kinds(packs: &Packs) -> (usize, usize) {
        let (mut ofs, mut refs) = (0, 0);
        for bundle in &packs.0 {
            for entry in bundle.index.iter() {
                match bundle.pack.entry(entry.pack_offset).unwrap().header {
                    Header::OfsDelta { .. } => ofs += 1,
                    Header::RefDelta { .. } => refs += 1,
                    _ => {}
                }
            }
        }
        (ofs, refs)
    }

    fn object_id(dir: &Path, revision: &str) -> gix_hash::ObjectId {
        let hex = git(dir, &["rev-parse", revision], b"");
        gix_hash::ObjectId::from_hex(hex.trim_ascii()).unwrap()
    }

    /// Every object in the packs, read here and by libgit2, newest first
    /// (the scan's order) and oldest first, with a cache too small to hold
    /// a chain and with a roomy one.
    fn reads_as_libgit2(dir: &Path) -> Packs {
        let repo = git2::Repository::open(dir).unwrap();
        let odb = repo.odb().unwrap();
        let packs = std::sync::Arc::new(Packs::open(&dir.join(".git/objects")));
        let ids: Vec<gix_hash::ObjectId> = packs
            .0
            .iter()
            .flat_map(|bundle| bundle.index.iter().map(|entry| entry.oid))
            .collect();
        assert!(ids.len() > 100);
        for cache_bytes in [2048, 32 << 20] {
            let mut reader = PackReader::new(packs.clone(), cache_bytes, true);
            for id in ids.iter().rev().chain(&ids) {
                let (kind, content) = reader.read(id).unwrap();
                let expected = odb
                    .read(git2::Oid::from_bytes(id.as_slice()).unwrap())
                    .unwrap();
                assert_eq!(kind.to_string(), expected.kind().str(), "{id}");
                assert_eq!(content.as_slice(), expected.data(), "{id}");
            }
        }
        std::sync::Arc::try_unwrap(packs).ok().unwrap()
    }

    #[test]
    fn reads_every_object_as_libgit2_does_in_every_shape_of_pack() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"], b"");
        git(dir.path(), &["fast-import", "--quiet"], &history(300));
        let fast_import = reads_as_libgit2(dir.path());
        assert!(delta_kinds(&fast_import).0 > 100, "fast-import's chains");
        drop(fast_import);

        git(dir.path(), &["repack", "-adfq"], b"");
        let repacked = reads_as_libgit2(dir.path());
        assert!(delta_kinds(&repacked).0 > 100, "offset deltas");
        drop(repacked);

        git(
            dir.path(),
            &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq"],
            b"",
        );
        let by_id = reads_as_libgit2(dir.path());
        let (ofs, refs) = delta_kinds(&by_id);
        assert!(ofs == 0 && refs > 100, "deltas naming their base by id");
    }

    #[test]
    fn a_chain_is_resolved_once_then_each_link_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"], b"");
        git(dir.path(), &["fast-import", "--quiet"], &history(60));
        let packs = std::sync::Arc::new(Packs::open(&dir.path().join(".git/objects")));
        let newest = object_id(dir.path(), "main^{tree}:svc0/pkg0");
        let older = object_id(dir.path(), "main~15^{tree}:svc0/pkg0");
        let mut reader = PackReader::new(packs, 32 << 20, true);
        reader.read(&newest).unwrap();
        let chain = reader.links();
        assert!(chain > 3, "fast-import's newest tree ends a chain: {chain}");
        reader.read(&older).unwrap();
        assert_eq!(reader.links(), chain + 1, "resolved on the way, so cached");
        reader.read(&newest).unwrap();
        assert_eq!(reader.links(), chain + 2);
    }

    /// A clone made with `--shared` (or `--reference`) keeps no objects of
    /// its own: its packs are those of the repository it borrows from.
    #[test]
    fn objects_borrowed_through_alternates_are_read_from_their_packs() {
        let dir = tempfile::tempdir().unwrap();
        let lender = dir.path().join("lender");
        std::fs::create_dir(&lender).unwrap();
        git(&lender, &["init", "-q"], b"");
        git(&lender, &["fast-import", "--quiet"], &history(60));
        let tree = object_id(&lender, "main^{tree}");
        for alternate in [None, Some("../../../lender/.git/objects\n")] {
            let borrower = dir.path().join("borrower");
            let _ = std::fs::remove_dir_all(&borrower);
            git(
                dir.path(),
                &[
                    "clone",
                    "-q",
                    "--shared",
                    "--no-checkout",
                    "lender",
                    "borrower",
                ],
                b"",
            );
            let objects = borrower.join(".git/objects");
            if let Some(relative) = alternate {
                std::fs::write(
                    objects.join("info/alternates"),
                    format!("# lender\n{relative}"),
                )
                .unwrap();
            }
            assert!(
                std::fs::read_dir(objects.join("pack"))
                    .unwrap()
                    .next()
                    .is_none()
            );
            let packs = std::sync::Arc::new(Packs::open(&objects));
            let (kind, _) = PackReader::new(packs, 1 << 20, true).read(&tree).unwrap();
            assert_eq!(kind, gix_object::Kind::Tree, "{alternate:?}");
        }
        // Two directories naming each other: each is read once.
        let lender_objects = lender.join(".git/objects");
        let borrower_objects = dir.path().join("borrower/.git/objects");
        std::fs::write(
            lender_objects.join("info/alternates"),
            borrower_objects.to_str().unwrap(),
        )
        .unwrap();
        assert_eq!(object_dirs(&borrower_objects).len(), 2);
        assert_eq!(object_dirs(&lender_objects).len(), 2);
    }

    #[test]
    fn damaged_entries_and_missing_objects_are_left_to_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"], b"");
        git(dir.path(), &["fast-import", "--quiet"], &history(60));
        let objects = dir.path().join(".git/objects");
        let packs = std::sync::Arc::new(Packs::open(&objects));
        let missing = gix_hash::ObjectId::from_hex(&[b'7'; 40]).unwrap();
        let mut reader = PackReader::new(packs.clone(), 1 << 20, true);
        assert_eq!(reader.read(&missing).unwrap_err(), Unread::NotInPacks);
        // Scramble the compressed data of an entry in the middle.
        let bundle = &packs.0[0];
        let pack_path = bundle.pack.path().to_owned();
        let mut entries: Vec<(gix_hash::ObjectId, u64)> = bundle
            .index
            .iter()
            .map(|entry| (entry.oid, entry.pack_offset))
            .collect();
        drop((reader, packs));
        entries.sort_by_key(|entry| entry.1);
        let (id, offset) = entries[entries.len() / 2];
        let mut bytes = std::fs::read(&pack_path).unwrap();
        for byte in &mut bytes[offset as usize + 2..offset as usize + 12] {
            *byte ^= 0x5a;
        }
        std::fs::remove_file(&pack_path).unwrap();
        std::fs::write(&pack_path, bytes).unwrap();
        let packs = std::sync::Arc::new(Packs::open(&objects));
        let mut reader = PackReader::new(packs, 1 << 20, true);
        assert_eq!(reader.read(&id).unwrap_err(), Unread::Damaged);
    }
}
