# Build a static examdesk binary, then run it as a non-root user in an
# image that holds nothing else.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /examdesk ./cmd/examdesk

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /examdesk /examdesk
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/examdesk"]
CMD ["serve"]
