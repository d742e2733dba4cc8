use clap::Parser;

fn main() {
    let cli = trellis::cli::Cli::parse();
    std::process::exit(trellis::commands::main(cli));
}
