//! The deployment pieces in `deploy/`: the IAM policy parses and is least-privilege (no wildcard
//! action or resource, exactly the actions the job uses), the CloudFormation task role grants the
//! same actions, the container runs as a non-root user from a multi-stage build, and — where the
//! linters are installed (`.ci/run` installs both from PyPI) — `cfn-lint` and `hadolint` pass.

use std::process::Command;

use opsreport_tests::repo_root;
use serde_json::Value;

/// Every AWS action the job calls (Athena source, S3 reads and UNLOAD, S3 sink, KMS).
const ACTIONS: &[&str] = &[
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
    "athena:GetWorkGroup",
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:ListBucketMultipartUploads",
    "kms:Decrypt",
    "kms:GenerateDataKey",
];

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_root().join(relative)).unwrap_or_else(|error| panic!("{relative}: {error}"))
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_iam_policy_grants_exactly_the_actions_the_job_uses_on_named_resources() {
    let policy: Value = serde_json::from_str(&read("deploy/iam-policy.json")).expect("deploy/iam-policy.json is JSON");
    assert_eq!(policy["Version"], "2012-10-17");
    let mut granted = Vec::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow");
        let actions = strings(&statement["Action"]);
        let resources = strings(&statement["Resource"]);
        assert!(!resources.is_empty(), "{statement}");
        for action in &actions {
            assert!(!action.contains('*'), "wildcard action {action}");
        }
        for resource in &resources {
            assert!(resource != "*" && resource.starts_with("arn:aws:"), "resource {resource} in {statement}");
        }
        granted.extend(actions);
    }
    granted.sort();
    granted.dedup();
    let mut expected: Vec<String> = ACTIONS.iter().map(|action| action.to_string()).collect();
    expected.sort();
    assert_eq!(granted, expected);

    let template = read("deploy/cloudformation.yaml");
    for action in ACTIONS {
        assert!(template.contains(action), "the CloudFormation task role lacks {action}");
    }
    assert!(!template.contains("Action: \"*\"") && !template.contains("Resource: \"*\""));
}

#[test]
fn the_image_is_multi_stage_locked_and_runs_as_a_non_root_user() {
    let dockerfile = read("deploy/Dockerfile");
    assert_eq!(dockerfile.lines().filter(|line| line.starts_with("FROM ")).count(), 2, "build and runtime stages");
    assert!(dockerfile.contains("cargo build --release --locked"));
    let user = dockerfile.lines().rev().find_map(|line| line.strip_prefix("USER ")).expect("a USER line");
    assert!(!user.starts_with("root") && !user.starts_with('0'), "runs as {user}");
    assert!(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/opsreport\"]"));
}

/// Runs a linter when it is installed; under CI (`CI` set) it must be installed.
fn lint(tool: &str, args: &[&str]) {
    let output = match Command::new(tool).args(args).current_dir(repo_root()).output() {
        Ok(output) => output,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("{tool} is not installed: skipped (CI installs it)");
            return;
        }
        Err(error) => panic!("{tool} is required under CI: {error}"),
    };
    assert!(
        output.status.success(),
        "{tool} found problems:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_cloudformation_template_passes_cfn_lint() {
    lint("cfn-lint", &["deploy/cloudformation.yaml"]);
}

/// The job role's policy document in a template: the lines from `PolicyDocument:` to the end
/// of its statements.
fn job_policy(template: &str, role: &str) -> String {
    let start = template.find(&format!("  {role}:\n")).unwrap_or_else(|| panic!("no {role}"));
    let policy = &template[start..];
    let from = policy.find("PolicyDocument:").expect("a policy document");
    let to = policy[from..].find("\n\n").map_or(policy.len(), |end| from + end);
    policy[from..to].to_owned()
}

#[test]
fn the_batch_array_job_passes_cfn_lint_with_the_same_least_privilege_policy() {
    lint("cfn-lint", &["deploy/batch-array.yaml"]);
    let array = read("deploy/batch-array.yaml");
    let single = read("deploy/cloudformation.yaml");
    assert_eq!(job_policy(&array, "JobRole"), job_policy(&single, "TaskRole"), "one policy for one task or many children");
    // One job prepares the run (the fleet's queries, once); then every child runs the same
    // command and reads its own batches; a retried child resumes; both steps share the run id.
    for part in [
        "Command: [generate, --all-accounts, --prepare]",
        "--shard, !Sub \"batch/${ArraySize}\"",
        "--resume",
        "Size.$: $.children",
        "Attempts: 3",
    ] {
        assert!(array.contains(part), "batch-array.yaml lacks {part}");
    }
    assert_eq!(array.matches("Value.$: $$.Execution.Name").count(), 2, "both steps name the run");
    // Every CRM meeting's material on its own schedule: the kind travels in the run's input to
    // both steps, which report on the last full period of that kind.
    for kind in ["monthly", "weekly", "quarterly"] {
        assert!(
            array.contains(&format!("Input: !Sub '{{\"children\": ${{ArraySize}}, \"kind\": \"{kind}\"}}'")),
            "no {kind} schedule"
        );
    }
    assert_eq!(array.matches("Value.$: $.kind").count(), 2, "both steps get the kind");
    assert!(array.contains("cron(0 6 ? * MON *)") && array.contains("cron(0 6 3 1,4,7,10 ? *)"));
    // The roles may run the steps and nothing else.
    assert!(array.contains("Action: states:StartExecution") && array.contains("Action: batch:SubmitJob"));
    assert!(!array.contains("batch:*") && !array.contains("states:*") && !array.contains("Resource: \"*\""));
}

#[test]
fn the_dockerfile_passes_hadolint() {
    lint("hadolint", &["deploy/Dockerfile"]);
}

#[test]
fn the_console_stack_passes_cfn_lint_signs_users_in_and_grants_only_what_the_console_does() {
    lint("cfn-lint", &["deploy/console.yaml"]);
    let console = read("deploy/console.yaml");
    let policy = job_policy(&console, "TaskRole");
    // The job's reads and Athena queries (Regenerate runs the same pipeline), plus: notes written
    // below the data prefix only, reports listed, and mail sent from the one sender.
    let job = job_policy(&read("deploy/cloudformation.yaml"), "TaskRole");
    for sid in ["AthenaQueries", "GlueTablesRead", "DataRead", "DataList", "AthenaResultsAndUnload", "AthenaResultsList"] {
        let block = |policy: &str| policy.split("- Sid: ").find(|block| block.starts_with(sid)).map(str::to_owned);
        assert_eq!(block(&policy), block(&job), "{sid} differs from the job's");
    }
    assert!(policy.contains("Sid: NotesWrite\n                Effect: Allow\n                Action: [s3:PutObject]\n                Resource: !Sub arn:${AWS::Partition}:s3:::${DataBucket}/${DataPrefix}/notes/*"));
    assert!(
        policy.contains("Action: [ses:SendEmail, ses:SendRawEmail]") && policy.contains("ses:FromAddress: !Ref SenderAddress")
    );
    assert!(!policy.contains(":*\n") && !policy.contains("Resource: \"*\"") && !policy.contains("Action: \"*\""), "{policy}");
    // Sign-in before the console, except the signed report links and the health check.
    let signed_in = console.split("  SignedInRule:").nth(1).unwrap();
    let oidc = signed_in.find("Type: authenticate-oidc").expect("an OIDC sign-in");
    assert!(oidc < signed_in.find("Type: forward").unwrap(), "sign-in comes first");
    assert!(signed_in.contains("OnUnauthenticatedRequest: authenticate"));
    let shared = console.split("  SharedLinksRule:").nth(1).unwrap().split("\n\n").next().unwrap();
    assert!(shared.contains("Values: [/shared/*]") && !shared.contains("authenticate"));
    assert!(console.contains("HealthCheckPath: /health"));
    // Only the load balancer reaches the tasks; the console checks the load balancer's signer.
    assert!(console.contains("SourceSecurityGroupId: !Ref LoadBalancerSecurityGroup"));
    assert!(console.contains("Name: OPSREPORT_CONSOLE_ALB_ARN, Value: !Ref LoadBalancer"));
    assert!(console.contains("Command: [serve, --listen, \"0.0.0.0:8080\"]"));
    assert!(console.contains("Name: OPSREPORT_CONSOLE_SECRET, ValueFrom: !Ref ConsoleSecret"));
}
