print_something <- function() {
  print("Hello from binderdescription")
}
