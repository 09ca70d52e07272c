import Foundation
import R2DCommands

exit(await CommandLineEntry.main(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
