use clap::Parser;

// Parsing allocates and frees many small tree nodes on every worker thread;
// mimalloc's thread-local free lists make that markedly cheaper than glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    no_transparent_huge_pages();
    trellis::lint::go::use_mimalloc_for_trees();
    let cli = trellis::cli::Cli::parse();
    std::process::exit(trellis::commands::main(cli));
}

/// Keeps the kernel from backing mimalloc's heap with transparent huge
/// pages: mimalloc asks for them, and the kernel then zeroes 2 MiB for the
/// first byte touched in each. A score run touches many regions sparsely:
/// on a 57,000-commit history the cold scan spent a sixth of its CPU time
/// zeroing pages it never used, and a cached run varied by half from run to
/// run with where the huge pages fell. Lint's time was the same either way.
/// This is what mimalloc's own `MIMALLOC_ALLOW_THP=0` does (the same
/// prctl, which the programs trellis runs inherit), set here because that
/// variable is read before `main`.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(2) with PR_SET_THP_DISABLE only sets a flag of this
    // process; it reads and writes none of our memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
