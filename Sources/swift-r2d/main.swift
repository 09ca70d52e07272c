import Foundation
import R2DCommands

JSONOutputGuard.installIfRequested(arguments: CommandLine.arguments)
let status = await CommandLineEntry.main(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment)
JSONOutputGuard.finish()
exit(status)
