fn main() -> std::process::ExitCode {
    meent::cli::run()
}
