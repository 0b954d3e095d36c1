// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "aurules",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "aurules", targets: ["aurules"]),
        .library(name: "AuditRules", targets: ["AuditRules"]),
        .library(name: "Syscalls", targets: ["Syscalls"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // ABIs, machines, kernel releases and the versioned syscall tables (data embedded at build time).
        .target(name: "Syscalls"),
        // The rule language, field semantics, compiler, KernelRule, wire codec, listing formatter, drift.
        // Pure Swift: no kernel I/O here.
        .target(name: "AuditRules", dependencies: ["Syscalls"]),
        // Lint checks, one file per check.
        .target(name: "AuditLint", dependencies: ["AuditRules", "Syscalls"]),
        // libaudit, only to open the audit netlink socket.
        .systemLibrary(name: "CLibAudit", pkgConfig: "audit",
                       providers: [.apt(["libaudit-dev"])]),
        // glibc's mallopt, for the CLI's memory arenas.
        .systemLibrary(name: "CMalloc"),
        // Removes an output's temporary file on SIGINT/SIGTERM/SIGHUP (an async-signal-safe handler).
        .target(name: "CTemporaryFile"),
        // The static executable's argv, kept at start instead of the runtime's /proc/self/maps scan.
        .target(name: "CStaticStart"),
        // The only code that talks to the kernel.
        .target(name: "AuditKernel", dependencies: ["CLibAudit", "AuditRules", "Syscalls"]),
        .executableTarget(name: "aurules", dependencies: [
            "AuditRules", "AuditLint", "AuditKernel", "Syscalls", "CMalloc", "CTemporaryFile", "CStaticStart",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "SyscallsTests", dependencies: ["Syscalls", "CLibAudit"]),
        // libaudit is linked into tests as an oracle (field, errno, message type and syscall tables).
        .testTarget(name: "AuditRulesTests", dependencies: ["AuditRules", "AuditLint", "Syscalls", "CLibAudit"]),
        .testTarget(name: "AuditLintTests", dependencies: ["AuditLint", "AuditRules"]),
        .testTarget(name: "AuditKernelTests", dependencies: ["AuditKernel", "AuditRules", "AuditLint", "Syscalls"]),
        .testTarget(name: "CLITests", dependencies: ["aurules"]),
    ]
)
