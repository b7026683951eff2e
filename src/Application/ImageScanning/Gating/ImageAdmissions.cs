using System.Collections.Concurrent;
using Cocktail.Domain.ImageScanning;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>What the admission endpoint answers: an AdmissionReview (200), or a 400 with the reason.</summary>
public sealed record AdmissionAnswer(string? Review, string? Problem, string? Field);

/// <summary>
/// The cluster's question "may this object's pods run these images?", answered from the namespace's rules (cached
/// briefly) and the images' scans (one query), within <see cref="ImageGateOptions.Budget"/>: when the database
/// does not answer in time, the answer is a denial that says so, well before the API server gives up.
/// </summary>
public sealed class ImageAdmissions(IDocumentStore store, ImageVerdicts verdicts, ImageAdmissionAudit audit, IOptions<ImageGateOptions> options,
    TimeProvider clock, ILogger<ImageAdmissions> logger)
{
    private readonly ConcurrentDictionary<(Guid, string), (Task<ImageGateInputs> Inputs, DateTimeOffset Until)> _inputs = new();
    private const int MaxCachedNamespaces = 50_000;

    public async Task<AdmissionAnswer> ReviewAsync(Guid clusterId, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var (question, problem, field) = AdmissionReviews.Read(body);
        if (question is null) return new AdmissionAnswer(null, problem, field);
        // On an update only images the object did not run before are judged: relabelling or scaling a workload whose
        // image was since found vulnerable is not refused (a new rollout of it is, when its pods are created).
        var judged = question.Images.Where(i => !question.PreviousImages.Contains(i)).ToList();
        if (judged.Count == 0 || string.IsNullOrEmpty(question.Namespace)) return new AdmissionAnswer(AdmissionReviews.Allow(question.Uid), null, null);

        var budget = options.Value.Budget;
        (bool Allowed, string Message, string ClusterName) outcome;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(budget);
            // WaitAsync as well: a connection attempt that ignores cancellation must not hold the answer past the budget.
            outcome = await JudgeAsync(clusterId, question, judged, deadline.Token).WaitAsync(budget, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (e is TimeoutException or OperationCanceledException))
        {
            logger.LogWarning("Image admission in {Namespace} of cluster {ClusterId} ran out of its {Budget} budget", question.Namespace, clusterId, budget);
            outcome = (false, $"Cocktail could not check the image: its database did not answer within {budget.TotalSeconds:0.#} s", "");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && IsDatabase(e))
        {
            logger.LogWarning("Image admission in {Namespace} of cluster {ClusterId} could not read the database: {Error}", question.Namespace, clusterId,
                e.GetBaseException().Message);
            outcome = (false, "Cocktail could not check the image: its database is not reachable", "");
        }

        audit.Enqueue(new AdmissionVerdict(clusterId, outcome.ClusterName, question.Namespace, question.Kind, question.Name, question.Operation,
            judged, outcome.Allowed, outcome.Message, clock.GetUtcNow()));
        return new AdmissionAnswer(outcome.Allowed ? AdmissionReviews.Allow(question.Uid) : AdmissionReviews.Deny(question.Uid, outcome.Message), null, null);
    }

    private async Task<(bool, string, string)> JudgeAsync(Guid clusterId, AdmissionQuestion question, IReadOnlyList<string> images, CancellationToken ct)
    {
        var inputs = await InputsAsync(clusterId, question.Namespace, ct);
        if (!inputs.Gates) return (true, "the namespace has no image gate", inputs.ClusterName);
        await using var session = store.QuerySession();
        var judgements = await verdicts.JudgeAsync(session, inputs, images, ct);
        var denied = judgements.Where(j => !j.Verdict.Allowed).ToList();
        return denied.Count == 0
            ? (true, string.Join("; ", judgements.Select(j => j.Verdict.Message)), inputs.ClusterName)
            : (false, Limit(string.Join("; ", denied.Select(j => j.Verdict.Message))), inputs.ClusterName);
    }

    /// <summary>The namespace's rules and exceptions, shared by the reviews of a few seconds; a failed load is not kept.</summary>
    private async Task<ImageGateInputs> InputsAsync(Guid clusterId, string ns, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var key = (clusterId, ns);
        if (_inputs.TryGetValue(key, out var cached) && cached.Until > now && !cached.Inputs.IsFaulted && !cached.Inputs.IsCanceled)
            return await cached.Inputs.WaitAsync(ct);
        if (_inputs.Count >= MaxCachedNamespaces) _inputs.Clear();
        var loading = LoadAsync(clusterId, ns, now);
        _inputs[key] = (loading, now + options.Value.InputsCacheTtl);
        return await loading.WaitAsync(ct);
    }

    /// <summary>Not tied to one review's cancellation: the reviews waiting on it share it.</summary>
    private async Task<ImageGateInputs> LoadAsync(Guid clusterId, string ns, DateTimeOffset now)
    {
        using var timeout = new CancellationTokenSource(options.Value.Budget);
        await using var session = store.QuerySession();
        return await ImageGateInputs.ForNamespaceAsync(session, clusterId, ns, now, timeout.Token);
    }

    /// <summary>Forgets cached inputs, so that a changed policy or exception counts at once (see <see cref="ImageGateInputsChanged"/>).</summary>
    public void Forget() => _inputs.Clear();

    private static bool IsDatabase(Exception e) =>
        e is NpgsqlException or MartenCommandException or TimeoutException || e.InnerException is { } inner && IsDatabase(inner);

    /// <summary>The API server puts the message in the client's error: long enough for every image, short enough to read.</summary>
    private static string Limit(string message) => message.Length <= 4000 ? message : message[..3999] + "…";
}

/// <summary>One verdict of the webhook, on its way to the audit trail.</summary>
public sealed record AdmissionVerdict(Guid ClusterId, string ClusterName, string Namespace, string Kind, string Name, string Operation,
    IReadOnlyList<string> Images, bool Allowed, string Message, DateTimeOffset At);
