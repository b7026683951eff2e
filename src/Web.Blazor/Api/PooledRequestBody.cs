using System.Buffers;
using Cocktail.Application.KubernetesAudit.Ingesting;

namespace Cocktail.Web.Api;

/// <summary>
/// A request body read whole into a pooled buffer, sized by Content-Length when there is one: audit batches are
/// hundreds of kilobytes, and a buffer grown by copying (a MemoryStream) costs several large-object allocations per
/// batch, each of which brings the next full garbage collection closer. Kestrel's request size limit still applies
/// (413 beyond it). The buffer goes back to the pool when the request is over.
/// </summary>
public sealed class PooledRequestBody(HttpRequest request) : IAuditBatchBody, IDisposable
{
    private byte[]? _buffer;
    private int _length;
    private bool _read;

    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken ct)
    {
        if (_read) return _buffer.AsMemory(0, _length);
        _buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and < int.MaxValue - 1 ? (int)request.ContentLength + 1 : 64 * 1024);
        int read;
        while ((read = await request.Body.ReadAsync(_buffer.AsMemory(_length), ct)) > 0)
        {
            _length += read;
            if (_length < _buffer.Length) continue;
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        _read = true;
        return _buffer.AsMemory(0, _length);
    }

    public void Dispose()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
