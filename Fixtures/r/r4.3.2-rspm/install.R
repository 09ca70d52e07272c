install.packages("digest")
