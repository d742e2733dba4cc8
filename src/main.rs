use clap::Parser;

// Parsing allocates and frees many small tree nodes on every worker thread;
// mimalloc's thread-local free lists make that markedly cheaper than glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    trellis::lint::go::use_mimalloc_for_trees();
    let cli = trellis::cli::Cli::parse();
    std::process::exit(trellis::commands::main(cli));
}
