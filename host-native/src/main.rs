fn main() {
    std::process::exit(stockbook_native::cli::main());
}
