using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.Pipelines.Triggering;
using Cocktail.Domain.Pipelines;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Pipelines;

/// <summary>
/// Push webhooks as GitHub, GitLab and Gitea deliver them. Signatures are computed here by hand, as each provider
/// documents them (not with <see cref="GitPushHooks.Sign"/>), so a wrong scheme or header name fails these tests.
/// </summary>
public sealed class GitPushHookTests
{
    private static readonly string Secret = TestSecrets.Remember("whsec-3gEsCfjlV2ugRwgpU-w1WaWwa4NXgGm");
    private static readonly string OtherSecret = TestSecrets.Remember("whsec-another-hook-entirely-0042");

    private const string GitHubHead = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
    private const string GitLabHead = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
    private const string GiteaHead = "bffeb74224043ba2feb48d137756c8a9331c449a";
    private const string Zeros = "0000000000000000000000000000000000000000";

    // --- Payloads modelled on each provider's documented push event -------------------------------------------------

    private static string GitHubPush(string gitRef = "refs/heads/main", string after = GitHubHead, bool deleted = false,
        string message = "Update README.md\n\nExplain how to run the tests.", string extra = "") => $$"""
        {
          "ref": "{{gitRef}}",
          "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
          "after": "{{after}}",
          "repository": {
            "id": 35129377,
            "node_id": "MDEwOlJlcG9zaXRvcnkzNTEyOTM3Nw==",
            "name": "public-repo",
            "full_name": "baxterthehacker/public-repo",
            "private": false,
            "owner": { "name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "login": "baxterthehacker", "id": 6752317 },
            "html_url": "https://github.com/baxterthehacker/public-repo",
            "url": "https://github.com/baxterthehacker/public-repo",
            "git_url": "git://github.com/baxterthehacker/public-repo.git",
            "ssh_url": "git@github.com:baxterthehacker/public-repo.git",
            "clone_url": "https://github.com/baxterthehacker/public-repo.git",
            "default_branch": "main",
            "pushed_at": 1430869217
          },
          "pusher": { "name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com" },
          "sender": { "login": "baxterthehacker", "id": 6752317, "type": "User", "site_admin": false },
          "created": false,
          "deleted": {{(deleted ? "true" : "false")}},
          "forced": false,
          "base_ref": null,
          "compare": "https://github.com/baxterthehacker/public-repo/compare/6113728f27ae...0d1a26e67d8f",
          "commits": [
            {
              "id": "{{GitHubHead}}",
              "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
              "distinct": true,
              "message": {{System.Text.Json.JsonSerializer.Serialize(message)}},
              "timestamp": "2015-05-05T19:40:15-04:00",
              "url": "https://github.com/baxterthehacker/public-repo/commit/{{GitHubHead}}",
              "author": { "name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker" },
              "committer": { "name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker" },
              "added": [], "removed": [], "modified": ["README.md"]
            }
          ],
          "head_commit": {{(deleted ? "null" : $$"""
            {
              "id": "{{GitHubHead}}",
              "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
              "distinct": true,
              "message": {{System.Text.Json.JsonSerializer.Serialize(message)}},
              "timestamp": "2015-05-05T19:40:15-04:00",
              "url": "https://github.com/baxterthehacker/public-repo/commit/{{GitHubHead}}",
              "author": { "name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker" },
              "committer": { "name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker" },
              "added": [], "removed": [], "modified": ["README.md"]
            }
            """)}}{{extra}}
        }
        """;

    private static string GitLabPush(string gitRef = "refs/heads/master", string before = "95790bf891e76fee5e1747ab589903a6a1f80f22",
        string after = GitLabHead, string? checkoutSha = GitLabHead, string kind = "push", bool withProject = true) => $$"""
        {
          "object_kind": "{{kind}}",
          "event_name": "{{kind}}",
          "before": "{{before}}",
          "after": "{{after}}",
          "ref": "{{gitRef}}",
          "ref_protected": true,
          "checkout_sha": {{(checkoutSha is null ? "null" : $"\"{checkoutSha}\"")}},
          "message": null,
          "user_id": 4,
          "user_name": "John Smith",
          "user_username": "jsmith",
          "user_email": "john@example.com",
          "user_avatar": "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80",
          "project_id": 15,
          {{(withProject ? """
          "project": {
            "id": 15,
            "name": "Diaspora",
            "description": "",
            "web_url": "https://gitlab.example.com/mike/diaspora",
            "git_ssh_url": "git@gitlab.example.com:mike/diaspora.git",
            "git_http_url": "https://gitlab.example.com/mike/diaspora.git",
            "namespace": "Mike",
            "visibility_level": 0,
            "path_with_namespace": "mike/diaspora",
            "default_branch": "master"
          },
          """ : "")}}
          "repository": {
            "name": "Diaspora",
            "url": "git@gitlab.example.com:mike/diaspora.git",
            "description": "",
            "homepage": "https://gitlab.example.com/mike/diaspora",
            "git_http_url": "https://gitlab.example.com/mike/diaspora-from-repository.git",
            "git_ssh_url": "git@gitlab.example.com:mike/diaspora.git",
            "visibility_level": 0
          },
          "commits": [
            {
              "id": "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
              "message": "Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information",
              "title": "Update Catalan translation to e38cb41.",
              "timestamp": "2011-12-12T14:27:31+02:00",
              "url": "https://gitlab.example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
              "author": { "name": "Jordi Mallach", "email": "jordi@softcatala.org" },
              "added": ["CHANGELOG"], "modified": ["app/controller/application.rb"], "removed": []
            },
            {
              "id": "{{GitLabHead}}",
              "message": "fixed readme",
              "title": "fixed readme",
              "timestamp": "2012-01-03T23:36:29+02:00",
              "url": "https://gitlab.example.com/mike/diaspora/commit/{{GitLabHead}}",
              "author": { "name": "GitLab dev user", "email": "gitlabdev@dv6700.(none)" },
              "added": ["CHANGELOG"], "modified": ["app/controller/application.rb"], "removed": []
            }
          ],
          "total_commits_count": 4
        }
        """;

    private static string GiteaPush(string gitRef = "refs/heads/develop", string after = GiteaHead, bool withHeadCommit = true, string pusher = """
        { "id": 1, "login": "gitea", "full_name": "Gitea", "email": "someone@gitea.io", "avatar_url": "https://localhost:3000/avatars/1", "username": "gitea" }
        """) => $$"""
        {
          "ref": "{{gitRef}}",
          "before": "28e1879d029cb852e4844d9c718537df08844e03",
          "after": "{{after}}",
          "compare_url": "http://localhost:3000/gitea/webhooks/compare/28e1879d029cb852e4844d9c718537df08844e03...{{GiteaHead}}",
          "commits": [
            {
              "id": "{{GiteaHead}}",
              "message": "Webhooks Yay!\n",
              "url": "http://localhost:3000/gitea/webhooks/commit/{{GiteaHead}}",
              "author": { "name": "Gitea", "email": "someone@gitea.io", "username": "gitea" },
              "committer": { "name": "Gitea", "email": "someone@gitea.io", "username": "gitea" },
              "timestamp": "2017-03-13T13:52:11-04:00"
            }
          ],
          "total_commits": 1,
          "head_commit": {{(withHeadCommit ? $$"""
            {
              "id": "{{GiteaHead}}",
              "message": "Webhooks Yay!\n",
              "url": "http://localhost:3000/gitea/webhooks/commit/{{GiteaHead}}",
              "author": { "name": "Gitea", "email": "someone@gitea.io", "username": "gitea" },
              "committer": { "name": "Gitea", "email": "someone@gitea.io", "username": "gitea" },
              "timestamp": "2017-03-13T13:52:11-04:00"
            }
            """ : "null")}},
          "repository": {
            "id": 140,
            "owner": { "id": 1, "login": "gitea", "full_name": "Gitea", "email": "someone@gitea.io", "username": "gitea" },
            "name": "webhooks",
            "full_name": "gitea/webhooks",
            "private": false,
            "html_url": "http://localhost:3000/gitea/webhooks",
            "ssh_url": "ssh://gitea@localhost:2222/gitea/webhooks.git",
            "clone_url": "http://localhost:3000/gitea/webhooks.git",
            "default_branch": "master"
          },
          "pusher": {{pusher}},
          "sender": { "id": 1, "login": "gitea", "full_name": "Gitea", "email": "someone@gitea.io", "username": "gitea" }
        }
        """;

    // --- Signing by hand, as each provider documents it -------------------------------------------------------------

    private static string HexHmac(string secret, byte[] body) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)).ToLowerInvariant();

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers) result[name] = value;
        return result;
    }

    private static Dictionary<string, string> GitHubHeaders(byte[] body, string secret, string gitHubEvent = "push") => Headers(
        ("X-GitHub-Event", gitHubEvent), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("X-Hub-Signature-256", "sha256=" + HexHmac(secret, body)), ("Content-Type", "application/json"));

    private static Dictionary<string, string> GitLabHeaders(string token, string gitLabEvent = "Push Hook") => Headers(
        ("X-Gitlab-Event", gitLabEvent), ("X-Gitlab-Token", token), ("X-Gitlab-Instance", "https://gitlab.example.com"),
        ("Content-Type", "application/json"));

    private static Dictionary<string, string> GiteaHeaders(byte[] body, string secret, string giteaEvent = "push") => Headers(
        ("X-Gitea-Event", giteaEvent), ("X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473"),
        ("X-Gitea-Signature", HexHmac(secret, body)), ("Content-Type", "application/json"));

    private static Dictionary<string, string> SignedHeaders(GitProvider provider, byte[] body, string secret) => provider switch
    {
        GitProvider.GitHub => GitHubHeaders(body, secret),
        GitProvider.GitLab => GitLabHeaders(secret),
        _ => GiteaHeaders(body, secret),
    };

    private static string PushFor(GitProvider provider) => provider switch
    {
        GitProvider.GitHub => GitHubPush(),
        GitProvider.GitLab => GitLabPush(),
        _ => GiteaPush(),
    };

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static void AssertUnauthorizedNaming(GitHookReading reading, string header, params string[] neverShown)
    {
        Assert.Equal(GitHookOutcome.Unauthorized, reading.Outcome);
        Assert.Null(reading.Push);
        Assert.Contains(header, reading.Message);
        Assert.DoesNotContain(Secret, reading.Message);
        foreach (var value in neverShown) Assert.DoesNotContain(value, reading.Message);
    }

    // --- Valid pushes ------------------------------------------------------------------------------------------------

    [Fact]
    public void a_github_push_is_read_with_its_branch_head_commit_time_clone_url_pusher_and_message()
    {
        var body = Bytes(GitHubPush());

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body);

        Assert.Equal(GitHookOutcome.Push, reading.Outcome);
        Assert.Null(reading.Message);
        Assert.Equal(new GitPush(GitProvider.GitHub, "refs/heads/main", "main", null, GitHubHead,
            new DateTimeOffset(2015, 5, 5, 19, 40, 15, TimeSpan.FromHours(-4)), "https://github.com/baxterthehacker/public-repo.git",
            "baxterthehacker", "Update README.md\n\nExplain how to run the tests."), reading.Push);
    }

    [Fact]
    public void a_gitlab_push_is_read_with_the_checkout_sha_and_that_commit_from_the_commit_list()
    {
        var body = Bytes(GitLabPush());

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(Secret), body);

        Assert.Equal(GitHookOutcome.Push, reading.Outcome);
        Assert.Equal(new GitPush(GitProvider.GitLab, "refs/heads/master", "master", null, GitLabHead,
            new DateTimeOffset(2012, 1, 3, 23, 36, 29, TimeSpan.FromHours(2)), "https://gitlab.example.com/mike/diaspora.git",
            "jsmith", "fixed readme"), reading.Push);
    }

    [Fact]
    public void a_gitea_push_is_read_with_its_branch_head_commit_time_clone_url_pusher_and_message()
    {
        var body = Bytes(GiteaPush());

        var reading = GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(body, Secret), body);

        Assert.Equal(GitHookOutcome.Push, reading.Outcome);
        Assert.Equal(new GitPush(GitProvider.Gitea, "refs/heads/develop", "develop", null, GiteaHead,
            new DateTimeOffset(2017, 3, 13, 13, 52, 11, TimeSpan.FromHours(-4)), "http://localhost:3000/gitea/webhooks.git",
            "gitea", "Webhooks Yay!\n"), reading.Push);
    }

    [Fact]
    public void a_gitlab_push_without_checkout_sha_uses_after_and_falls_back_to_the_repository_clone_url()
    {
        var body = Bytes(GitLabPush(checkoutSha: null, withProject: false));

        var push = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(Secret), body).Push;

        Assert.NotNull(push);
        Assert.Equal(GitLabHead, push.Commit);
        Assert.Equal("fixed readme", push.Message);
        Assert.Equal("https://gitlab.example.com/mike/diaspora-from-repository.git", push.RepositoryUrl);
    }

    [Fact]
    public void a_gitea_push_without_head_commit_takes_the_time_and_message_from_the_matching_commit()
    {
        var body = Bytes(GiteaPush(withHeadCommit: false, pusher: """{ "id": 1, "username": "gitea-user" }"""));

        var push = GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(body, Secret), body).Push;

        Assert.NotNull(push);
        Assert.Equal(new DateTimeOffset(2017, 3, 13, 13, 52, 11, TimeSpan.FromHours(-4)), push.CommittedAt);
        Assert.Equal("Webhooks Yay!\n", push.Message);
        Assert.Equal("gitea-user", push.Pusher);
    }

    [Fact]
    public void a_head_commit_message_is_cut_to_200_characters()
    {
        var body = Bytes(GitHubPush(message: new string('m', 150) + "\n\n" + new string('b', 500)));

        var push = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body).Push;

        Assert.NotNull(push);
        Assert.Equal(200, push.Message!.Length);
        Assert.StartsWith(new string('m', 150) + "\n\nbbb", push.Message);
    }

    [Fact]
    public void headers_are_found_whatever_their_case_even_in_a_case_sensitive_dictionary()
    {
        var body = Bytes(GitHubPush());
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["x-github-event"] = "push",
            ["x-hub-signature-256"] = "sha256=" + HexHmac(Secret, body),
        };

        Assert.Equal(GitHookOutcome.Push, GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body).Outcome);
    }

    [Theory]
    [InlineData(GitProvider.GitHub)]
    [InlineData(GitProvider.GitLab)]
    [InlineData(GitProvider.Gitea)]
    public void sign_gives_the_header_value_each_provider_sends(GitProvider provider)
    {
        var body = Bytes(PushFor(provider));
        var expected = SignedHeaders(provider, body, Secret);

        Assert.Equal(expected[GitPushHooks.SignatureHeader(provider)], GitPushHooks.Sign(provider, Secret, body));
    }

    // --- Tags, pings, other events, deletions -------------------------------------------------------------------

    [Fact]
    public void a_github_tag_push_sets_the_tag_and_no_branch()
    {
        var body = Bytes(GitHubPush(gitRef: "refs/tags/v1.4.0"));

        var push = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body).Push;

        Assert.NotNull(push);
        Assert.Equal(("refs/tags/v1.4.0", (string?)null, (string?)"v1.4.0"), (push.Ref, push.Branch, push.Tag));
    }

    [Fact]
    public void a_gitlab_tag_push_creating_a_tag_sets_the_tag_and_no_branch()
    {
        // A new tag comes with 'before' all zeros and no commits listed: a creation, not a deletion.
        const string tagged = "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7";
        var json = GitLabPush(gitRef: "refs/tags/v1.0.0", before: Zeros, after: tagged, checkoutSha: tagged, kind: "tag_push");
        var body = Bytes(json);

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(Secret, "Tag Push Hook"), body);

        Assert.Equal(GitHookOutcome.Push, reading.Outcome);
        Assert.Equal(new GitPush(GitProvider.GitLab, "refs/tags/v1.0.0", null, "v1.0.0", tagged, null,
            "https://gitlab.example.com/mike/diaspora.git", "jsmith", null), reading.Push);
    }

    [Fact]
    public void a_gitea_tag_push_sets_the_tag_and_no_branch()
    {
        var body = Bytes(GiteaPush(gitRef: "refs/tags/v2.0.0"));

        var push = GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(body, Secret), body).Push;

        Assert.NotNull(push);
        Assert.Equal(((string?)null, (string?)"v2.0.0"), (push.Branch, push.Tag));
    }

    [Fact]
    public void a_github_ping_is_ignored_with_a_message_saying_the_hook_works()
    {
        var body = Bytes("""{ "zen": "Keep it logically awesome.", "hook_id": 30, "hook": { "type": "Repository", "events": ["push"] } }""");

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret, "ping"), body);

        Assert.Equal(GitHookOutcome.Ignored, reading.Outcome);
        Assert.Null(reading.Push);
        Assert.Contains("ping", reading.Message);
    }

    [Theory]
    [InlineData(GitProvider.GitHub, "pull_request")]
    [InlineData(GitProvider.GitLab, "Merge Request Hook")]
    [InlineData(GitProvider.Gitea, "create")]
    public void an_event_other_than_a_push_is_ignored(GitProvider provider, string otherEvent)
    {
        var body = Bytes(PushFor(provider));
        var headers = SignedHeaders(provider, body, Secret);
        headers[GitPushHooks.EventHeader(provider)] = otherEvent;

        var reading = GitPushHooks.Read(provider, Secret, headers, body);

        Assert.Equal(GitHookOutcome.Ignored, reading.Outcome);
        Assert.Contains(otherEvent, reading.Message);
    }

    [Fact]
    public void an_event_not_verified_is_unauthorized_before_it_is_ignored()
    {
        var body = Bytes("""{ "zen": "Design for failure." }""");

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, OtherSecret, "ping"), body);

        Assert.Equal(GitHookOutcome.Unauthorized, reading.Outcome);
    }

    [Fact]
    public void a_github_push_deleting_a_branch_is_ignored()
    {
        var body = Bytes(GitHubPush(gitRef: "refs/heads/feature/old", after: Zeros, deleted: true));

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body);

        Assert.Equal(GitHookOutcome.Ignored, reading.Outcome);
        Assert.Contains("branch deleted", reading.Message);
    }

    [Fact]
    public void a_gitlab_push_deleting_a_branch_is_ignored()
    {
        var body = Bytes(GitLabPush(after: Zeros, checkoutSha: null));

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(Secret), body);

        Assert.Equal(GitHookOutcome.Ignored, reading.Outcome);
        Assert.Contains("branch deleted", reading.Message);
    }

    [Fact]
    public void a_gitea_push_deleting_a_branch_is_ignored()
    {
        var body = Bytes(GiteaPush(after: Zeros, withHeadCommit: false));

        var reading = GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(body, Secret), body);

        Assert.Equal(GitHookOutcome.Ignored, reading.Outcome);
        Assert.Contains("branch deleted", reading.Message);
    }

    // --- Unauthorized -----------------------------------------------------------------------------------------------

    [Fact]
    public void a_github_push_with_a_wrong_signature_is_unauthorized()
    {
        var body = Bytes(GitHubPush());
        var presented = "sha256=" + new string('a', 64);
        var headers = GitHubHeaders(body, Secret);
        headers["X-Hub-Signature-256"] = presented;

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body);

        AssertUnauthorizedNaming(reading, "X-Hub-Signature-256", new string('a', 64));
    }

    [Fact]
    public void a_github_push_signed_with_another_secret_is_unauthorized()
    {
        var body = Bytes(GitHubPush());
        var headers = GitHubHeaders(body, OtherSecret);

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body);

        AssertUnauthorizedNaming(reading, "X-Hub-Signature-256", headers["X-Hub-Signature-256"], OtherSecret);
    }

    [Fact]
    public void a_github_push_whose_body_changed_after_signing_is_unauthorized()
    {
        var signed = Bytes(GitHubPush());
        var tampered = Bytes(GitHubPush(gitRef: "refs/heads/production"));

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(signed, Secret), tampered);

        AssertUnauthorizedNaming(reading, "X-Hub-Signature-256");
    }

    [Fact]
    public void a_github_push_without_the_signature_header_is_unauthorized()
    {
        var body = Bytes(GitHubPush());
        var headers = GitHubHeaders(body, Secret);
        headers.Remove("X-Hub-Signature-256");
        headers["X-Hub-Signature"] = "sha1=" + Convert.ToHexString(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Secret), body)).ToLowerInvariant();

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body);

        AssertUnauthorizedNaming(reading, "X-Hub-Signature-256");
        Assert.Contains("missing", reading.Message);
    }

    [Fact]
    public void a_github_signature_without_its_sha256_prefix_is_unauthorized()
    {
        var body = Bytes(GitHubPush());
        var headers = GitHubHeaders(body, Secret);
        headers["X-Hub-Signature-256"] = HexHmac(Secret, body);

        Assert.Equal(GitHookOutcome.Unauthorized, GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body).Outcome);
    }

    [Theory]
    [InlineData("sha256=zz")]
    [InlineData("sha256=not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex")]
    [InlineData("sha256=")]
    public void a_github_signature_that_is_not_hex_is_unauthorized(string presented)
    {
        var body = Bytes(GitHubPush());
        var headers = GitHubHeaders(body, Secret);
        headers["X-Hub-Signature-256"] = presented;

        AssertUnauthorizedNaming(GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body), "X-Hub-Signature-256");
    }

    [Fact]
    public void a_gitlab_push_with_a_wrong_token_is_unauthorized()
    {
        var body = Bytes(GitLabPush());

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(OtherSecret), body);

        AssertUnauthorizedNaming(reading, "X-Gitlab-Token", OtherSecret);
    }

    [Fact]
    public void a_gitlab_push_with_a_token_that_only_starts_like_the_secret_is_unauthorized()
    {
        var body = Bytes(GitLabPush());

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(Secret[..^1]), body);

        AssertUnauthorizedNaming(reading, "X-Gitlab-Token", Secret[..^1]);
    }

    [Fact]
    public void a_gitlab_push_without_the_token_header_is_unauthorized()
    {
        var body = Bytes(GitLabPush());
        var headers = GitLabHeaders(Secret);
        headers.Remove("X-Gitlab-Token");

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, headers, body);

        AssertUnauthorizedNaming(reading, "X-Gitlab-Token");
        Assert.Contains("missing", reading.Message);
    }

    [Fact]
    public void a_gitea_push_with_a_wrong_signature_is_unauthorized()
    {
        var body = Bytes(GiteaPush());
        var headers = GiteaHeaders(body, OtherSecret);

        var reading = GitPushHooks.Read(GitProvider.Gitea, Secret, headers, body);

        AssertUnauthorizedNaming(reading, "X-Gitea-Signature", headers["X-Gitea-Signature"], OtherSecret);
    }

    [Fact]
    public void a_gitea_push_whose_body_changed_after_signing_is_unauthorized()
    {
        var signed = Bytes(GiteaPush());
        var tampered = Bytes(GiteaPush(gitRef: "refs/heads/master"));

        AssertUnauthorizedNaming(GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(signed, Secret), tampered), "X-Gitea-Signature");
    }

    [Fact]
    public void a_gitea_push_signed_the_github_way_is_unauthorized()
    {
        var body = Bytes(GiteaPush());
        var headers = GiteaHeaders(body, Secret);
        headers["X-Gitea-Signature"] = "sha256=" + HexHmac(Secret, body);

        Assert.Equal(GitHookOutcome.Unauthorized, GitPushHooks.Read(GitProvider.Gitea, Secret, headers, body).Outcome);
    }

    [Fact]
    public void a_gitea_push_without_the_signature_header_is_unauthorized()
    {
        var body = Bytes(GiteaPush());
        var headers = GiteaHeaders(body, Secret);
        headers.Remove("X-Gitea-Signature");
        headers["X-Gogs-Signature"] = HexHmac(OtherSecret, body);

        var reading = GitPushHooks.Read(GitProvider.Gitea, Secret, headers, body);

        AssertUnauthorizedNaming(reading, "X-Gitea-Signature");
        Assert.Contains("missing", reading.Message);
    }

    [Theory]
    [InlineData(GitProvider.GitHub)]
    [InlineData(GitProvider.GitLab)]
    [InlineData(GitProvider.Gitea)]
    public void a_hook_without_a_secret_accepts_nothing_even_signed_with_the_empty_key(GitProvider provider)
    {
        var body = Bytes(PushFor(provider));

        var reading = GitPushHooks.Read(provider, "", SignedHeaders(provider, body, ""), body);

        Assert.Equal(GitHookOutcome.Unauthorized, reading.Outcome);
    }

    // --- Bounds and malformed bodies ----------------------------------------------------------------------------

    [Theory]
    [InlineData(GitProvider.GitHub)]
    [InlineData(GitProvider.GitLab)]
    [InlineData(GitProvider.Gitea)]
    public void a_signed_body_over_5_mib_is_invalid(GitProvider provider)
    {
        var json = PushFor(provider);
        var padded = json.TrimEnd()[..^1] + ", \"padding\": \"" + new string('x', GitPushHooks.MaxBodyBytes) + "\" }";
        var body = Bytes(padded);

        var reading = GitPushHooks.Read(provider, Secret, SignedHeaders(provider, body, Secret), body);

        Assert.Equal(GitHookOutcome.Invalid, reading.Outcome);
        Assert.Contains("at most 5 MiB", reading.Message);
    }

    [Theory]
    [InlineData(GitProvider.GitHub)]
    [InlineData(GitProvider.GitLab)]
    [InlineData(GitProvider.Gitea)]
    public void a_signed_body_that_is_not_json_is_invalid(GitProvider provider)
    {
        var body = Bytes("""{ "ref": "refs/heads/main", "after": """);

        var reading = GitPushHooks.Read(provider, Secret, SignedHeaders(provider, body, Secret), body);

        Assert.Equal(GitHookOutcome.Invalid, reading.Outcome);
        Assert.Contains("not valid JSON", reading.Message);
    }

    [Fact]
    public void a_signed_body_nested_deeper_than_64_levels_is_invalid()
    {
        var json = GitHubPush(extra: ",\n  \"deep\": " + new string('[', 70) + new string(']', 70));
        var body = Bytes(json);

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body);

        Assert.Equal(GitHookOutcome.Invalid, reading.Outcome);
        Assert.Contains("depth of 64", reading.Message);
    }

    [Fact]
    public void a_signed_body_nested_within_64_levels_is_read()
    {
        var body = Bytes(GitHubPush(extra: ",\n  \"deep\": " + new string('[', 60) + new string(']', 60)));

        Assert.Equal(GitHookOutcome.Push, GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body).Outcome);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"refs/heads/main\"")]
    [InlineData("null")]
    public void a_signed_body_that_is_not_an_object_is_invalid(string json)
    {
        var body = Bytes(json);

        Assert.Equal(GitHookOutcome.Invalid, GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(body, Secret), body).Outcome);
    }

    [Fact]
    public void a_push_without_a_ref_is_invalid()
    {
        var body = Bytes($$"""{ "after": "{{GitHubHead}}", "head_commit": null }""");

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, GitHubHeaders(body, Secret), body);

        Assert.Equal(GitHookOutcome.Invalid, reading.Outcome);
        Assert.Contains("'ref'", reading.Message);
    }

    [Fact]
    public void a_push_without_a_commit_is_invalid()
    {
        var body = Bytes("""{ "ref": "refs/heads/main", "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246" }""");

        var reading = GitPushHooks.Read(GitProvider.GitLab, Secret, GitLabHeaders(Secret), body);

        Assert.Equal(GitHookOutcome.Invalid, reading.Outcome);
        Assert.Contains("checkout_sha", reading.Message);
    }

    [Fact]
    public void a_push_whose_commit_is_not_a_commit_id_is_invalid()
    {
        var body = Bytes("""{ "ref": "refs/heads/main", "after": "main; rm -rf /" }""");

        Assert.Equal(GitHookOutcome.Invalid, GitPushHooks.Read(GitProvider.Gitea, Secret, GiteaHeaders(body, Secret), body).Outcome);
    }

    [Fact]
    public void a_verified_delivery_without_its_event_header_is_invalid_naming_the_header()
    {
        var body = Bytes(GitHubPush());
        var headers = GitHubHeaders(body, Secret);
        headers.Remove("X-GitHub-Event");

        var reading = GitPushHooks.Read(GitProvider.GitHub, Secret, headers, body);

        Assert.Equal(GitHookOutcome.Invalid, reading.Outcome);
        Assert.Contains("X-GitHub-Event", reading.Message);
    }

    // --- Branch filters ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("main", "main", true)]
    [InlineData("main", "maintenance", false)]
    [InlineData("main", "feature/main", false)]
    [InlineData("release/*", "release/1.2", true)]
    [InlineData("release/*", "release/a/b", false)]
    [InlineData("release/*", "release", false)]
    [InlineData("release/**", "release/1.2", true)]
    [InlineData("release/**", "release/a/b", true)]
    [InlineData("**/hotfix", "hotfix", true)]
    [InlineData("**/hotfix", "team/a/hotfix", true)]
    [InlineData("**", "anything/at/all", true)]
    [InlineData("*", "main", true)]
    [InlineData("*", "feature/x", false)]
    [InlineData("feature/*-ui", "feature/login-ui", true)]
    [InlineData("feature/*-ui", "feature/login-api", false)]
    [InlineData("v?.x", "v1.x", true)]
    [InlineData("v?.x", "v/.x", false)]
    [InlineData("Main", "main", false)]
    public void a_branch_filter_matches_globs_with_star_within_a_segment_and_double_star_across(string filter, string branch, bool matches) =>
        Assert.Equal(matches, RefFilters.Matches(filter, branch));

    [Theory]
    [InlineData("main, release/*", "main", true)]
    [InlineData("main, release/*", "release/2.0", true)]
    [InlineData("main, release/*", "develop", false)]
    [InlineData("release/**, !release/old/**", "release/new/1", true)]
    [InlineData("release/**, !release/old/**", "release/old/1", false)]
    [InlineData("!release/old/**, release/**", "release/old/1", false)]
    [InlineData("!wip/*", "main", true)]
    [InlineData("!wip/*", "wip/spike", false)]
    [InlineData("**, !main", "main", false)]
    public void a_branch_filter_takes_several_patterns_and_exclusions_win(string filter, string branch, bool matches) =>
        Assert.Equal(matches, GitPushHooks.BranchMatches(filter, branch));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void an_empty_branch_filter_matches_every_branch_and_is_valid(string? filter)
    {
        Assert.True(RefFilters.Matches(filter, "main"));
        Assert.True(RefFilters.Matches(filter, "feature/a/b"));
        Assert.Null(RefFilters.Check(filter));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("main, release/*, !release/old/**")]
    [InlineData("**/hotfix-?")]
    public void a_well_formed_branch_filter_passes_the_check(string filter) => Assert.Null(RefFilters.Check(filter));

    [Theory]
    [InlineData("main,,develop", "empty pattern")]
    [InlineData("main,", "empty pattern")]
    [InlineData("main, !", "empty pattern")]
    [InlineData("release/ 1.2", "whitespace")]
    [InlineData("rel\tease", "whitespace")]
    public void a_malformed_branch_filter_is_refused_saying_why(string filter, string why) =>
        Assert.Contains(why, RefFilters.Check(filter));

    [Fact]
    public void a_branch_filter_has_at_most_20_patterns_and_500_characters()
    {
        Assert.Null(RefFilters.Check(string.Join(',', Enumerable.Range(1, 20).Select(i => $"b{i}"))));
        Assert.Contains("20 patterns", RefFilters.Check(string.Join(',', Enumerable.Range(1, 21).Select(i => $"b{i}"))));
        Assert.Null(RefFilters.Check(new string('a', 500)));
        Assert.Contains("500 characters", RefFilters.Check(new string('a', 501)));
    }

    [Fact]
    public void a_pathological_branch_filter_answers_at_once()
    {
        var filter = string.Concat(Enumerable.Repeat("*a", 100)) + "b";
        var branch = new string('a', 5000);

        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(RefFilters.Matches(filter, branch));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }
}
