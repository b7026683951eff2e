using System.Globalization;
using Cocktail.Application.Common;
using Cocktail.Application.Logs.Receiving;
using Cocktail.Application.Logs.SettingUpCollection;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public static class OtlpEndpoints
{
    public const string LogsPath = "/v1/logs";

    // google.rpc.Code values for the Status body; OTLP clients act on the HTTP status, and may log these.
    private const int InvalidArgument = 3, ResourceExhausted = 8, Unavailable = 14, Unauthenticated = 16;

    /// <summary>
    /// OTLP/HTTP logs (<see cref="ReceiveOtlpLogs"/>), at the path every OTLP exporter uses by default. A plain endpoint,
    /// not a Wolverine one: its body is protobuf or JSON to read once within bounds, and every answer, failures too, is an
    /// OTLP message in the request's own encoding (ExportLogsServiceResponse, or google.rpc.Status for 4xx and 5xx).
    /// </summary>
    public static void MapOtlpLogs(this IEndpointRouteBuilder app) =>
        app.MapPost(LogsPath, ReceiveAsync)
            .AllowAnonymous()
            .WithTags("OTLP")
            .WithSummary("Receive application logs over OTLP/HTTP (protobuf or JSON, optionally gzip), authenticated by the cluster's log token.");

    private static async Task<IResult> ReceiveAsync(HttpContext http, RequestDispatcher dispatcher, IOtlpCodec codec, IOptions<OtlpOptions> options,
        CancellationToken ct)
    {
        var limits = options.Value;
        var encoding = EncodingOf(http.Request.ContentType);
        if (encoding is null)
            return Status(codec, OtlpEncoding.Protobuf, StatusCodes.Status415UnsupportedMediaType, InvalidArgument,
                "Send Content-Type: application/x-protobuf or application/json.");
        var contentEncoding = http.Request.Headers.ContentEncoding.ToString().Trim();
        var gzip = contentEncoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && contentEncoding.Length > 0 && !contentEncoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            return Status(codec, encoding.Value, StatusCodes.Status415UnsupportedMediaType, InvalidArgument,
                "Content-Encoding must be gzip or none.");
        // Who is sending is checked before the body is read: a caller without a token gets nothing buffered.
        var token = BearerToken(http.Request.Headers.Authorization.ToString());
        if (token is null) return Unauthorized(http, codec, encoding.Value);

        OtlpRequestBody body;
        OtlpRequestBody.Problem problem;
        try
        {
            (body, problem) = await OtlpRequestBody.ReadAsync(http.Request, gzip, limits.MaxRequestBytes, limits.MaxDecompressedBytes, ct);
        }
        catch (BadHttpRequestException e)
        {
            return Status(codec, encoding.Value, e.StatusCode, InvalidArgument, "The request body could not be read.");
        }
        using (body)
        {
            switch (problem)
            {
                case OtlpRequestBody.Problem.TooLarge:
                    return Status(codec, encoding.Value, StatusCodes.Status413PayloadTooLarge, ResourceExhausted,
                        $"The request is larger than {limits.MaxRequestBytes} bytes (or {limits.MaxDecompressedBytes} once decompressed): send smaller batches.");
                case OtlpRequestBody.Problem.NotGzip:
                    return Status(codec, encoding.Value, StatusCodes.Status400BadRequest, InvalidArgument, "The body says gzip but is not gzip.");
            }
            var result = await dispatcher.SendAsync(new ReceiveOtlpLogs(token, body.Content, encoding.Value), http.ToCaller(), ct);
            return Answer(http, codec, encoding.Value, result);
        }
    }

    private static IResult Answer(HttpContext http, IOtlpCodec codec, OtlpEncoding encoding, Result<OtlpReceipt> result)
    {
        if (result.Failure is { } failure)
            return failure.Kind switch
            {
                FailureKind.Unauthorized or FailureKind.Forbidden => Unauthorized(http, codec, encoding),
                _ => Status(codec, encoding, StatusCodes.Status400BadRequest, InvalidArgument, failure.Message),
            };
        var receipt = result.Value!;
        switch (receipt.Outcome)
        {
            case OtlpOutcome.Throttled:
                RetryAfter(http, receipt.RetryAfter);
                return Status(codec, encoding, StatusCodes.Status429TooManyRequests, ResourceExhausted, receipt.Message ?? "Busy.");
            case OtlpOutcome.StoreUnavailable:
                RetryAfter(http, receipt.RetryAfter);
                return Status(codec, encoding, StatusCodes.Status503ServiceUnavailable, Unavailable, receipt.Message ?? "Unavailable.");
            default:
                return new OtlpResult(StatusCodes.Status200OK, ContentType(encoding), codec.Response(encoding, receipt.Rejected, receipt.Message));
        }
    }

    private static void RetryAfter(HttpContext http, TimeSpan? after) =>
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((after ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static IResult Unauthorized(HttpContext http, IOtlpCodec codec, OtlpEncoding encoding)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Status(codec, encoding, StatusCodes.Status401Unauthorized, Unauthenticated, ReceiveOtlpLogsHandler.Unauthorized);
    }

    private static IResult Status(IOtlpCodec codec, OtlpEncoding encoding, int httpStatus, int code, string message) =>
        new OtlpResult(httpStatus, ContentType(encoding), codec.Status(encoding, code, message));

    private static string ContentType(OtlpEncoding encoding) => encoding == OtlpEncoding.Json ? "application/json" : "application/x-protobuf";

    private static OtlpEncoding? EncodingOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return null;
        var type = media.MediaType.Value;
        if (string.Equals(type, "application/x-protobuf", StringComparison.OrdinalIgnoreCase) ||
            string.Equals(type, "application/protobuf", StringComparison.OrdinalIgnoreCase)) return OtlpEncoding.Protobuf;
        if (string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase)) return OtlpEncoding.Json;
        return null;
    }

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length ? header["Bearer ".Length..].Trim() : null;

    /// <summary>The collector set-up for the cluster's Logs tab; never the token (a cluster without one is told so by hasToken).</summary>
    [WolverineGet("/api/v1/clusters/{id}/log-collector"), Tags("Logs")]
    [ProducesResponseType<LogCollectorSetUp>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> CollectorSetUp(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetLogCollectorSetUp(id, BaseUrl(http)), http.ToCaller(), ct));

    /// <summary>A new log token for the cluster (the first, or one replacing the current one, which is refused from then on), shown this once.</summary>
    [WolverinePost("/api/v1/clusters/{id}/log-collector/rotate"), Tags("Logs")]
    [ProducesResponseType<LogCollectorSetUp>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RotateToken(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(await dispatcher.SendAsync(new RotateLogIngestToken(id, BaseUrl(http)), http.ToCaller(), ct));
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";

    /// <summary>An OTLP message with its status, in the request's encoding.</summary>
    private sealed class OtlpResult(int status, string contentType, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = contentType;
            http.Response.ContentLength = body.Length;
            return http.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
