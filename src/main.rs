fn main() {
    std::process::exit(mf_windmill::cli::main());
}
