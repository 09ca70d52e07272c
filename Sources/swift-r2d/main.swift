import Foundation
import R2DCommands

// Before anything is written: unwritable output must come back as an error, never kill the process.
CommandLineEntry.prepareStandardStreams()
CommandLineEntry.tuneMemory(environment: ProcessInfo.processInfo.environment)
// The raw bytes too: CommandLine.arguments has already replaced bytes that are not UTF-8.
let rawArguments = (0..<Int(CommandLine.argc)).map { index -> [UInt8] in
    CommandLine.unsafeArgv[index].map {
        Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0)))
    } ?? []
}
// The JSON guard of stderr, when the run asks for JSON logs, is installed and flushed inside.
let status = await CommandLineEntry.main(
    arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment,
    rawArguments: rawArguments)
exit(status)
