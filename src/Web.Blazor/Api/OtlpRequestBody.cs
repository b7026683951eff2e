using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace Cocktail.Web.Api;

/// <summary>
/// An OTLP request body read into a pooled buffer within two bounds: its size as sent and, when gzipped, its size once
/// decompressed (a few kilobytes of gzip can claim gigabytes). Either bound passed is 413, as the OTLP specification
/// asks; a body that is not gzip although it says so is 400. The buffer goes back to the pool with the request.
/// </summary>
public sealed class OtlpRequestBody : IDisposable
{
    public enum Problem { None, TooLarge, NotGzip }

    private byte[]? _raw;
    private byte[]? _inflated;

    public ReadOnlyMemory<byte> Content { get; private set; }

    public static async Task<(OtlpRequestBody Body, Problem Problem)> ReadAsync(HttpRequest request, bool gzip, int maxBytes, int maxInflatedBytes,
        CancellationToken ct)
    {
        var body = new OtlpRequestBody();
        if (request.ContentLength > maxBytes) return (body, Problem.TooLarge);
        // Ours to bound: Kestrel's own limit (30 MB by default) would end the request with an exception instead.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBytes + 1L;
        var (raw, length) = await ReadBoundedAsync(request.Body, request.ContentLength is > 0 and var n ? (int)n : 64 * 1024, maxBytes, ct);
        body._raw = raw;
        if (raw is null) return (body, Problem.TooLarge);
        if (!gzip)
        {
            body.Content = raw.AsMemory(0, length);
            return (body, Problem.None);
        }
        try
        {
            await using var inflating = new GZipStream(new MemoryStream(raw, 0, length, writable: false), CompressionMode.Decompress);
            var (inflated, inflatedLength) = await ReadBoundedAsync(inflating, Math.Min(maxInflatedBytes, Math.Max(length * 4, 64 * 1024)), maxInflatedBytes, ct);
            body._inflated = inflated;
            if (inflated is null) return (body, Problem.TooLarge);
            body.Content = inflated.AsMemory(0, inflatedLength);
            return (body, Problem.None);
        }
        catch (InvalidDataException)
        {
            return (body, Problem.NotGzip);
        }
    }

    /// <summary>The stream's bytes, or null once more than <paramref name="max"/> came.</summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadBoundedAsync(Stream stream, int expected, int max, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(expected, max) + 1);
        var length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += read;
            if (length > max)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return (null, 0);
            }
            if (length < buffer.Length) continue;
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min((long)buffer.Length * 2, max + 1L) is var size and > 0 ? (int)size : max + 1);
            buffer.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }
        return (buffer, length);
    }

    public void Dispose()
    {
        if (_raw is not null) ArrayPool<byte>.Shared.Return(_raw);
        if (_inflated is not null) ArrayPool<byte>.Shared.Return(_inflated);
        _raw = _inflated = null;
    }
}
